"""Load a directory of cluster JSON (and its hand-kept aliases) into a `KnowledgeBase`.

The load is all or nothing: one broken file stops it with an error naming the file and field,
so the bot never answers from partial knowledge.
"""
from __future__ import annotations

import codecs
import fcntl
import json
import logging
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge.base import KnowledgeBase
from knowledge.models import ClusterProfile
from knowledge.normalize import clean_strings, name_key
from knowledge.profile import CLEANED, read_limited

logger = logging.getLogger(__name__)

BUNDLED_DIR = Path(__file__).parent / "data" / "clusters"
ALIASES_FILE = "aliases.yaml"
ENV_VAR = "GII_BOT_KNOWLEDGE"
LOCK_FILE = ".gii-bot-ingest.lock"
TEMPORARY_SUFFIX = ".tmp"
MAX_JSON_BYTES = 8_000_000  # a 1 MB profile with 1,000-row tables makes well under this


class KnowledgeError(ValueError):
    """The knowledge directory cannot be loaded; the message names the file and what is wrong."""


class _NameEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display: str | None = None
    aliases: list[str] = Field(default_factory=list)


class _AliasFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clusters: dict[str, _NameEntry] = Field(default_factory=dict)
    organizations: dict[str, _NameEntry] = Field(default_factory=dict)
    locations: dict[str, _NameEntry] = Field(default_factory=dict)
    economies: dict[str, _NameEntry] = Field(default_factory=dict)


def knowledge_dir(path: str | Path | None = None) -> Path:
    """The directory to load: the one given, else $GII_BOT_KNOWLEDGE, else the bundled one."""
    if path is not None:
        return Path(path)
    from_env = os.environ.get(ENV_VAR)
    return Path(from_env) if from_env else BUNDLED_DIR


def load(path: str | Path | None = None) -> KnowledgeBase:
    """Load every cluster JSON of a directory, merge its aliases file, and check it all."""
    directory = knowledge_dir(path)
    if not directory.is_dir():
        raise KnowledgeError(f"{directory}: not a directory of cluster files")
    # Hidden files are not cluster files: macOS's ._name.json resource forks, editors' swap files, our lock.
    files = sorted(file for file in directory.glob("*.json") if not file.name.startswith("."))
    if not files:
        raise KnowledgeError(f"{directory}: no cluster JSON files (run 'gii-bot ingest PROFILE.txt --knowledge {directory}')")
    profiles = [_load_profile(file) for file in files]
    seen: dict[str, Path] = {}
    for file, profile in zip(files, profiles):
        key = name_key(profile.name)
        if key in seen:
            raise KnowledgeError(f"{file}: cluster {profile.name!r} is already loaded from {seen[key].name}")
        seen[key] = file
    aliases_path = directory / ALIASES_FILE
    economy_aliases = _merge_aliases(aliases_path, profiles) if aliases_path.exists() else {}
    return KnowledgeBase(profiles, directory=directory, economy_aliases=economy_aliases)


def _load_profile(file: Path) -> ClusterProfile:
    """One cluster file, validated; its text cleaned (with a warning) if written by hand or an older version."""
    try:
        raw = read_limited(file, MAX_JSON_BYTES)
    except OSError as error:
        raise KnowledgeError(f"{file}: cannot read: {error.strerror}") from None
    if raw is None:
        raise KnowledgeError(f"{file}: larger than {MAX_JSON_BYTES:,} bytes, the limit for a cluster file")
    raw = raw.removeprefix(codecs.BOM_UTF8)  # editors on Windows add one
    try:
        profile = ClusterProfile.model_validate_json(raw)
        cleaned, changed = clean_strings(profile.model_dump())
        if not changed:
            return profile
        logger.warning("%s: removed %s in %d place(s)", file, CLEANED, changed)
        return ClusterProfile.model_validate(cleaned)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "file"
        if first["type"] == "json_invalid":
            raise KnowledgeError(f"{file}: not valid JSON ({first['msg']})") from None
        raise KnowledgeError(f"{file}: field {field}: {first['msg']}") from None


def _read_yaml(path: Path) -> Any:
    import yaml  # imported here: only directories with an aliases file pay for it

    try:
        return yaml.load(path.read_text(encoding="utf-8-sig"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError) as error:
        raise KnowledgeError(f"{path}: cannot read: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise KnowledgeError(f"{where}: not valid YAML ({getattr(error, 'problem', error)})") from None


def _merge_aliases(path: Path, profiles: list[ClusterProfile]) -> dict[str, list[str]]:
    """Attach the file's aliases and display names to the profiles; returns the economies' aliases."""
    raw, changed = clean_strings(_read_yaml(path) or {})
    if changed:
        logger.warning("%s: removed %s in %d place(s)", path, CLEANED, changed)
    try:
        aliases = _AliasFile.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise KnowledgeError(f"{path}: {field}: {first['msg']}") from None

    clusters = {name_key(p.name): [p] for p in profiles}
    organizations: dict[str, list[Any]] = {}
    locations: dict[str, list[Any]] = {}
    economies = {name_key(e) for p in profiles for e in p.economies}
    for profile in profiles:
        for table in (profile.top_applicants, profile.top_publishers):
            for row in table.rows:
                organizations.setdefault(name_key(row.name), []).append(row)
        for collaboration in (profile.patent_collaboration, profile.article_collaboration):
            for location in collaboration.locations:
                locations.setdefault(name_key(location.name), []).append(location)

    for section, targets in (("clusters", clusters), ("organizations", organizations), ("locations", locations)):
        for name, entry in getattr(aliases, section).items():
            found = targets.get(name_key(name))
            if not found:
                raise KnowledgeError(f"{path}: {section}: {name!r} is not a name any profile in {path.parent} has")
            for item in found:
                item.display_name = entry.display or item.display_name
                item.aliases = _unique(item.aliases + entry.aliases)
    for name in aliases.economies:
        if name_key(name) not in economies:
            raise KnowledgeError(f"{path}: economies: {name!r} is not an economy any profile in {path.parent} has")
    spelled = {name_key(e): e for p in profiles for e in p.economies}  # the profiles' own spelling
    return {spelled[name_key(name)]: entry.aliases for name, entry in aliases.economies.items()}


def _unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for name in names:
        if name_key(name) not in seen:
            seen.add(name_key(name))
            result.append(name)
    return result


class KnowledgeWriteError(OSError):
    """A knowledge file or directory could not be written; the message names it and says why."""


def prepare_directory(directory: Path) -> None:
    """Create the target directory (and its parents), or say in one line why it can't be one."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise KnowledgeWriteError(f"{directory}: not a directory (a file of that name exists)") from None
    except OSError as error:
        raise KnowledgeWriteError(f"{directory}: cannot create the directory: {error.strerror}") from None
    if not directory.is_dir():  # e.g. a symlink to a file
        raise KnowledgeWriteError(f"{directory}: not a directory")


@contextmanager
def ingest_lock(directory: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the directory's lock file for a whole ingest, so two ingests never interleave their writes.

    `on_wait` is called once if another ingest holds the lock (the caller says it is waiting).
    The lock file stays (removing it would race with the next ingest); being hidden, it is never loaded.
    """
    prepare_directory(directory)
    path = directory / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise KnowledgeWriteError(f"{directory}: cannot write there: {error.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        _remove_stale_temporaries(directory)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def write_profile_json(profile: ClusterProfile, directory: Path) -> Path:
    """Write one parsed profile as the JSON the bot loads, atomically; returns the file written.

    The bytes go to a hidden temporary file in the same directory, are flushed to the disk, and
    the file is renamed over the target, and the rename flushed too: a reader, a kill or a full
    disk at any moment leaves the old file or the new one, never a part of either.
    """
    prepare_directory(directory)
    target = directory / f"{profile.id}.json"
    data = profile_json(profile).encode("utf-8")
    try:
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=TEMPORARY_SUFFIX)
    except OSError as error:
        raise KnowledgeWriteError(f"{directory}: cannot write there: {error.strerror}") from None
    try:
        try:
            os.fchmod(fd, 0o666 & ~_umask())
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, target)
    except OSError as error:
        _unlink_quietly(Path(temporary))
        raise KnowledgeWriteError(f"{target}: cannot write: {error.strerror} (the file is unchanged)") from None
    _fsync_directory(directory)
    return target


def _write_all(fd: int, data: bytes) -> None:
    """os.write may write less than asked (a signal, a nearly full disk): loop until all is written."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; file systems that can't fsync a directory are left as they are."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove_stale_temporaries(directory: Path) -> None:
    """Temporary files left by a killed ingest; only called under the lock, so none is being written."""
    for stale in directory.glob(f".*.json.*{TEMPORARY_SUFFIX}"):
        _unlink_quietly(stale)


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def profile_json(profile: ClusterProfile) -> str:
    """The canonical JSON text of a parsed profile (aliases live in aliases.yaml, not here)."""
    data = profile.model_dump(mode="json", exclude={"display_name", "aliases"})
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
