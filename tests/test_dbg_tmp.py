import time, pexpect
from test_repl import *
def test_dbg(spawn, tmp_path):
    child = spawn()
    child.expect_exact(PROMPT)
    ask(child, TOP_QUESTION)
    child.sendeof()
    finish(child)
    print(repr((tmp_path / "data" / "gii-bot" / "history").read_text()))
    again = spawn()
    again.expect_exact(PROMPT)
    print("BEFORE", repr(again.before[-80:]))
    again.send("\x1b[A")
    time.sleep(1)
    try: again.expect("zzz", timeout=1)
    except pexpect.TIMEOUT: print("AFTER", repr(again.before))
