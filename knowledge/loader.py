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
from typing import Any, Callable, Iterator, Mapping, Sequence, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge.base import KnowledgeBase
from knowledge.models import ClusterProfile
from knowledge.normalize import clean_strings, name_key
from knowledge.profile import CLEANED, read_limited

logger = logging.getLogger(__name__)

BUNDLED_DIR = Path(__file__).parent / "data" / "clusters"
ALIASES_FILE = "aliases.yaml"
ENV_VAR = "GII_BOT_KNOWLEDGE"
OPERATOR_SUBDIR = Path("gii-bot") / "clusters"
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


def data_home(environ: Mapping[str, str] | None = None) -> Path:
    """$XDG_DATA_HOME, or ~/.local/share (a relative XDG path is ignored, as the XDG spec says)."""
    environ = os.environ if environ is None else environ
    configured = environ.get("XDG_DATA_HOME", "")
    if configured and os.path.isabs(configured):
        return Path(configured)
    return Path(environ.get("HOME") or str(Path.home())) / ".local" / "share"


def operator_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The operator's own cluster directory: $XDG_DATA_HOME/gii-bot/clusters (~/.local/share/gii-bot/clusters)."""
    return data_home(environ) / OPERATOR_SUBDIR


def environment_dirs(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The directories $GII_BOT_KNOWLEDGE names, separated by os.pathsep (empty entries skipped)."""
    environ = os.environ if environ is None else environ
    return [Path(part) for part in environ.get(ENV_VAR, "").split(os.pathsep) if part]


Paths = Union[str, Path, Sequence[Union[str, Path]], None]


def _as_list(paths: Paths) -> list[Path]:
    if paths is None:
        return []
    if isinstance(paths, (str, Path)):
        return [Path(paths)]
    return [Path(path) for path in paths]


def knowledge_dirs(paths: Paths = None, *, with_bundled: bool = False,
                   environ: Mapping[str, str] | None = None) -> list[Path]:
    """The directories to load, in order; a cluster in a later one replaces the same cluster in an earlier one.

    The directories given (one or a list), else those of $GII_BOT_KNOWLEDGE, else the default set:
    the bundled directory, then the operator's (`operator_dir()`, skipped by `load` while it holds no
    cluster). `with_bundled` puts the bundled directory first when the set is given.
    """
    return _selection(paths, with_bundled, environ)[0]


def _selection(paths: Paths, with_bundled: bool, environ: Mapping[str, str] | None) -> tuple[list[Path], set[Path]]:
    """(the directories in order, those that may be missing or empty)."""
    given = _as_list(paths) or environment_dirs(environ)
    if not given:
        operator = operator_dir(environ)
        return _distinct([BUNDLED_DIR, operator]), {operator}
    if with_bundled:
        given = [BUNDLED_DIR, *given]
    return _distinct(given), set()


def _distinct(directories: list[Path]) -> list[Path]:
    """The same directory named twice (or through a symlink) is loaded once, at its first place."""
    seen: set[Path] = set()
    result = []
    for directory in directories:
        try:
            key = directory.resolve()
        except OSError:
            key = directory
        if key not in seen:
            seen.add(key)
            result.append(directory)
    return result


def default_selection_applies(paths: Paths = None, environ: Mapping[str, str] | None = None) -> bool:
    """True when neither directories nor $GII_BOT_KNOWLEDGE are given: the bundled and the operator's load."""
    return not _as_list(paths) and not environment_dirs(environ)


def load(path: Paths = None, *, with_bundled: bool = False) -> KnowledgeBase:
    """Load every cluster JSON of the knowledge directories, merge their aliases files, and check it all.

    `path` is one directory or a list of them (see `knowledge_dirs` for the default). A directory
    given that is missing or holds no cluster is an error; so is any broken file (the load is all or
    nothing). A cluster found in two directories is taken from the later one, with a warning naming
    both files; aliases files apply to the union of the clusters loaded.
    """
    directories, optional = _selection(path, with_bundled, None)
    chosen: list[tuple[Path, ClusterProfile]] = []
    loaded: list[Path] = []
    replaced_in: set[Path] = set()  # directories that lost a cluster to a later one
    for directory in directories:
        files = _cluster_files(directory, required=directory not in optional)
        if not files:
            continue
        loaded.append(directory)
        for file, profile in _load_directory(directory, files):
            for index, (earlier_file, earlier) in enumerate(chosen):
                if earlier.id == profile.id or name_key(earlier.name) == name_key(profile.name):
                    logger.warning("cluster %r: %s replaces %s", profile.name, file, earlier_file)
                    replaced_in.add(earlier_file.parent)
                    del chosen[index]
                    break
            chosen.append((file, profile))
    profiles = [profile for _, profile in chosen]
    economy_aliases: dict[str, list[str]] = {}
    for directory in loaded:
        aliases_path = directory / ALIASES_FILE
        if aliases_path.exists():
            found = _merge_aliases(aliases_path, profiles, lenient=directory in replaced_in)
            for economy, names in found.items():
                economy_aliases[economy] = _unique(economy_aliases.get(economy, []) + names)
    return KnowledgeBase(profiles, directory=loaded[-1], economy_aliases=economy_aliases, directories=loaded,
                         files={profile.id: file for file, profile in chosen})


def _cluster_files(directory: Path, *, required: bool) -> list[Path]:
    """The cluster JSON files of a directory; a directory that is required must exist and hold one."""
    if not directory.is_dir():
        if not required and not directory.exists():
            return []
        raise KnowledgeError(f"{directory}: not a directory of cluster files")
    # Hidden files are not cluster files: macOS's ._name.json resource forks, editors' swap files, our lock.
    files = sorted(file for file in directory.glob("*.json") if not file.name.startswith("."))
    if not files and required:
        raise KnowledgeError(f"{directory}: no cluster JSON files (run 'gii-bot ingest PROFILE.txt --knowledge {directory}')")
    return files


def _load_directory(directory: Path, files: list[Path]) -> list[tuple[Path, ClusterProfile]]:
    """Every cluster of one directory; the same cluster in two of its files is an error."""
    profiles = [(file, _load_profile(file)) for file in files]
    seen: dict[str, Path] = {}
    for file, profile in profiles:
        for key in (name_key(profile.name), f"id:{profile.id}"):
            if key in seen:
                raise KnowledgeError(f"{file}: cluster {profile.name!r} is already loaded from {seen[key].name}")
        seen[name_key(profile.name)] = seen[f"id:{profile.id}"] = file
    return profiles


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


def _merge_aliases(path: Path, profiles: list[ClusterProfile], *, lenient: bool = False) -> dict[str, list[str]]:
    """Attach the file's aliases and display names to the profiles; returns the economies' aliases.

    Every name the file gives must be one a loaded profile has. `lenient` (a later directory replaced
    a cluster of this file's directory, and names may have gone with the old profile): a warning instead.
    """
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
                _unknown_name(path, f"{section}: {name!r} is not a name any loaded profile has", lenient)
                continue
            for item in found:
                item.display_name = entry.display or item.display_name
                item.aliases = _unique(item.aliases + entry.aliases)
    for name in aliases.economies:
        if name_key(name) not in economies:
            _unknown_name(path, f"economies: {name!r} is not an economy any loaded profile has", lenient)
    spelled = {name_key(e): e for p in profiles for e in p.economies}  # the profiles' own spelling
    return {spelled[name_key(name)]: entry.aliases for name, entry in aliases.economies.items()
            if name_key(name) in spelled}


def _unknown_name(path: Path, problem: str, lenient: bool) -> None:
    if not lenient:
        raise KnowledgeError(f"{path}: {problem}")
    logger.warning("%s: %s (a cluster of %s was replaced by a later directory's); ignored", path, problem, path.parent)


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
