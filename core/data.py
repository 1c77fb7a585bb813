"""Local data: read rows from json / jsonl / csv / parquet / txt files, align them with a format, report bad rows.

Also the small helpers that dataset format plugins share (reading a mapped column, parsing tool calls, media lists),
so that every format reports bad rows in the same words. Plain Python lists for now; batching, streaming and
HF `datasets` come later. Row numbers are 1-based: the element of a .json list, the data row of a .csv (header not
counted), the row of a .parquet file, and the line number of a .jsonl or .txt file.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Iterator, Mapping, Optional, Sequence, Union

from tuneforge.core.errors import DataError
from tuneforge.core.records import Record, ToolCall
from tuneforge.core.specs import DatasetFormat, DatasetSpec

SUPPORTED_SUFFIXES = (".json", ".jsonl", ".csv", ".parquet", ".txt")


# ---------------------------------------------------------------------------------------------------------------
# Reading rows
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadRow:
    """A row that could not even be read (an invalid JSON line, a list item that is not an object).

    read_rows yields it in place of the row so that the caller counts it like any other bad row instead of
    losing the whole file to one broken line.
    """

    reason: str


def data_files(path: Union[str, os.PathLike]) -> list[Path]:
    """The files behind `path`: the file itself, or every supported file in a folder (not recursive), sorted."""
    path = Path(path)
    if not path.exists():
        raise DataError(
            f"data file {str(path)!r} does not exist: check the path (relative paths are resolved against the "
            "config file) or give a registered dataset name"
        )
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.is_file() and not p.name.startswith(".") and p.suffix in SUPPORTED_SUFFIXES
        )
        if not files:
            raise DataError(
                f"folder {str(path)!r} holds no data files: expected files ending in {', '.join(SUPPORTED_SUFFIXES)}"
            )
        return files
    if path.suffix not in SUPPORTED_SUFFIXES:
        raise DataError(
            f"cannot read {str(path)!r}: unsupported file type {path.suffix or '(none)'!r}, "
            f"expected one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    return [path]


def read_rows(path: Union[str, os.PathLike]) -> Iterator[tuple[int, Union[dict, BadRow]]]:
    """Yield (row_number, row) for every row of a local file or folder; row is a dict, or a BadRow to report.

    Checks the path before returning, so a missing file fails here and not at the first `next()`.
    """
    files = data_files(path)
    readers = {
        ".json": _read_json,
        ".jsonl": _read_jsonl,
        ".csv": _read_csv,
        ".parquet": _read_parquet,
        ".txt": _read_txt,
    }
    return (item for file in files for item in readers[file.suffix](file))


def _open_text(path: Path):
    # utf-8-sig: files saved by Excel or Notepad start with a byte-order mark that json and csv choke on.
    return open(path, encoding="utf-8-sig", newline="")


def _read_json(path: Path) -> Iterator[tuple[int, Union[dict, BadRow]]]:
    try:
        with _open_text(path) as f:
            data = json.load(f)
    except json.JSONDecodeError as err:
        hint = " (it looks like JSON lines: name the file .jsonl)" if err.msg == "Extra data" else ""
        raise DataError(
            f"{path}: not valid JSON ({err.msg} at line {err.lineno}, column {err.colno}){hint}; "
            "a .json file holds one list of objects"
        ) from err
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start}); save it as UTF-8") from err
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a JSON list of objects, got a {type(data).__name__}")
    for number, item in enumerate(data, start=1):
        yield number, item if isinstance(item, dict) else BadRow(f"expected a JSON object, got {type(item).__name__}")


def _read_jsonl(path: Path) -> Iterator[tuple[int, Union[dict, BadRow]]]:
    with _open_text(path) as f:
        try:
            for number, line in enumerate(f, start=1):
                if not line.strip():
                    continue  # blank lines, typically a trailing one, carry no row
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as err:
                    yield number, BadRow(f"invalid JSON on line {number}: {err.msg} (column {err.colno})")
                    continue
                yield (
                    number,
                    item
                    if isinstance(item, dict)
                    else BadRow(f"expected a JSON object on line {number}, got {type(item).__name__}"),
                )
        except UnicodeDecodeError as err:
            raise DataError(f"{path}: not UTF-8 text ({err.reason}); save it as UTF-8") from err


def _read_csv(path: Path) -> Iterator[tuple[int, Union[dict, BadRow]]]:
    with _open_text(path) as f:
        for number, row in enumerate(csv.DictReader(f), start=1):
            if None in row:  # DictReader files surplus fields under the key None
                yield (
                    number,
                    BadRow(f"row has {len(row) - 1 + len(row[None])} fields but the header names {len(row) - 1}"),
                )
            else:
                yield number, row


def _read_parquet(path: Path) -> Iterator[tuple[int, Union[dict, BadRow]]]:
    try:
        import pyarrow.parquet as pq  # heavy; only parquet files need it
    except ImportError as err:
        raise DataError(f"{path}: reading parquet files needs pyarrow: pip install pyarrow") from err
    number = 0
    for batch in pq.ParquetFile(path).iter_batches():
        for row in batch.to_pylist():
            number += 1
            yield number, row


def _read_txt(path: Path) -> Iterator[tuple[int, Union[dict, BadRow]]]:
    with _open_text(path) as f:
        for number, line in enumerate(f, start=1):
            text = line.rstrip("\r\n")
            if text.strip():
                yield number, {"text": text}


# ---------------------------------------------------------------------------------------------------------------
# Aligning rows with a format
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dropped:
    """A row left out of the dataset, and why."""

    source: str
    row: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}, row {self.row}: {self.reason}"


@dataclass
class AlignResult:
    """The records a dataset produced and the rows it dropped (nothing is dropped without a trace here)."""

    records: list[Record] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # source row number of each record, for later error reports

    @property
    def total(self) -> int:
        return len(self.records) + len(self.dropped)

    @property
    def kept(self) -> int:
        return len(self.records)

    def summary(self, limit: int = 5) -> str:
        """One line of counts, then the first `limit` dropped rows with file, row and reason."""
        lines = [f"{self.kept} of {self.total} rows aligned, {len(self.dropped)} dropped"]
        lines += [f"  {d}" for d in self.dropped[:limit]]
        if len(self.dropped) > limit:
            lines.append(f"  ... and {len(self.dropped) - limit} more")
        return "\n".join(lines)

    @classmethod
    def concat(cls, results: Iterable["AlignResult"]) -> "AlignResult":
        merged = cls()
        for result in results:
            merged.records.extend(result.records)
            merged.dropped.extend(result.dropped)
            merged.rows.extend(result.rows)
        return merged


def merge_mapping(defaults: Optional[Mapping[str, Any]], overrides: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    """A format's default columns (or tags) with the caller's on top. An override of None or "" unmaps the key,
    for a file that has a column of the default name which is not meant to be used (e.g. an unrelated `system`)."""
    merged = dict(defaults or {})
    for key, value in (overrides or {}).items():
        if value is None or value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def align_rows(
    rows: Iterable[tuple[int, Union[dict, BadRow]]],
    fmt: DatasetFormat,
    columns: Optional[Mapping[str, str]] = None,
    tags: Optional[Mapping[str, str]] = None,
    *,
    source: str,
    strict: bool = False,
) -> AlignResult:
    """Align (row_number, row) pairs with `fmt`; `columns` / `tags` are merged over the format's defaults.

    A bad row (the format raised ValueError, or the row could not be read) is kept in `dropped` with its reason;
    with `strict=True` the first one raises DataError("<source>, row N: reason") instead.
    """
    columns = merge_mapping(fmt.columns, columns)
    tags = merge_mapping(fmt.tags, tags)
    result = AlignResult()
    for number, row in rows:
        if isinstance(row, BadRow):
            reason = row.reason
        else:
            try:
                record = fmt.align(row, columns, tags)
            except ValueError as err:
                reason = str(err)
            except Exception as err:
                # Formats report bad rows with ValueError; anything else is a bug in the format plugin.
                raise DataError(
                    f"dataset format {fmt.name!r} failed on {source}, row {number} with {type(err).__name__}: {err} "
                    "(a format must raise ValueError for a row it cannot align)"
                ) from err
            else:
                if not isinstance(record, Record):
                    raise DataError(
                        f"dataset format {fmt.name!r} returned {type(record).__name__} for {source}, row {number}: "
                        "align must return a tuneforge.core.Record"
                    )
                result.records.append(record)
                result.rows.append(number)
                continue
        dropped = Dropped(source, number, reason)
        if strict:
            raise DataError(f"{dropped} (strict mode stops at the first bad row; fix it or turn strict off)")
        result.dropped.append(dropped)
    return result


def load_local(
    path: Union[str, os.PathLike],
    fmt: DatasetFormat,
    columns: Optional[Mapping[str, str]] = None,
    tags: Optional[Mapping[str, str]] = None,
    *,
    strict: bool = False,
) -> AlignResult:
    """Read a local file (or every data file of a folder) and align it; each dropped row names its own file."""
    return AlignResult.concat(
        align_rows(read_rows(file), fmt, columns, tags, source=str(file), strict=strict) for file in data_files(path)
    )


def detect_format(
    rows_sample: Sequence[Union[dict, BadRow]], formats: Sequence[DatasetFormat], *, source: str = "the data"
) -> DatasetFormat:
    """The format whose `detect` accepts the most readable rows of the sample, provided it accepts more than half
    (a few bad rows must not hide a file's format: they are dropped and reported later with their reasons).
    DataError when no format reaches that, or when two tie."""
    rows = [row for row in rows_sample if isinstance(row, dict)]
    if not rows:
        raise DataError(f"cannot tell the format of {source}: it has no readable rows; name the format explicitly")

    def accepted(fmt: DatasetFormat) -> int:
        count = 0
        for row in rows:
            try:
                count += bool(fmt.detect(row))
            except Exception:
                pass  # a detector that trips over an unfamiliar row simply does not recognise it
        return count

    scores = {fmt.name: accepted(fmt) for fmt in formats if fmt.detect is not None}
    best = max(scores.values(), default=0)
    candidates = [fmt for fmt in formats if best * 2 > len(rows) and scores.get(fmt.name) == best]
    if len(candidates) == 1:
        return candidates[0]
    seen = sorted({key for row in rows for key in row})
    if not candidates:
        known = ", ".join(fmt.name for fmt in formats if fmt.detect is not None) or "none"
        raise DataError(
            f"cannot tell the format of {source} (columns: {', '.join(seen)}): no format recognises it "
            f"(formats that can detect: {known}); name the format and map its columns explicitly"
        )
    raise DataError(
        f"the format of {source} is ambiguous (columns: {', '.join(seen)}): it looks like "
        f"{' and '.join(fmt.name for fmt in candidates)}; name the format explicitly"
    )


# ---------------------------------------------------------------------------------------------------------------
# Files bundled with plugins, fingerprints
# ---------------------------------------------------------------------------------------------------------------


def resolve_packaged_file(spec: DatasetSpec) -> Path:
    """The path of a data file shipped inside a plugin package (`spec.package` + `spec.file`).

    Refuses a `file` that is absolute or climbs out of the package folder, so that a dataset plugin can only
    point at its own data.
    """
    import importlib.resources

    if not spec.package or not spec.file:
        raise DataError(f"dataset {spec.name!r} is not bundled with a package (it needs both `package` and `file`)")
    relative = PurePosixPath(spec.file.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or ":" in spec.file:
        raise DataError(
            f"dataset {spec.name!r}: file {spec.file!r} must be a relative path inside package {spec.package!r} "
            "(no absolute paths, no '..')"
        )
    try:
        root = importlib.resources.files(spec.package)
    except ModuleNotFoundError as err:
        raise DataError(
            f"dataset {spec.name!r}: package {spec.package!r} cannot be imported; "
            "is the plugin's distribution installed?"
        ) from err
    if not isinstance(root, Path):
        raise DataError(
            f"dataset {spec.name!r}: package {spec.package!r} is not installed as plain files (zipped?); reinstall it"
        )
    path = root.joinpath(*relative.parts)
    # A symlink inside the package could still point outside it.
    if not path.resolve().is_relative_to(root.resolve()):
        raise DataError(f"dataset {spec.name!r}: file {spec.file!r} resolves outside package {spec.package!r}")
    if not path.is_file():
        raise DataError(
            f"dataset {spec.name!r}: file {spec.file!r} is missing from package {spec.package!r} ({path}); "
            "was the package data installed?"
        )
    return path


def fingerprint(path: Union[str, os.PathLike]) -> str:
    """sha256 hex digest of a data file's bytes (streamed); for a folder, of its data files' names and digests."""
    files = data_files(path)
    if Path(path).is_file():
        return _sha256_file(files[0])
    digest = hashlib.sha256()
    for file in files:
        digest.update(f"{file.name}\0{_sha256_file(file)}\n".encode())
    return digest.hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# Helpers for format plugins: one wording for every format's row errors
# ---------------------------------------------------------------------------------------------------------------


def column(row: Mapping[str, Any], columns: Mapping[str, str], key: str, *, required: bool = False) -> Any:
    """The value of logical column `key` (e.g. `response`), or None when it is unmapped, absent or null.

    With `required=True` a missing value raises ValueError("missing column `output` (row has: ...)").
    """
    name = columns.get(key)
    value = row.get(name) if name else None
    if value is None and required:
        if not name:
            raise ValueError(f"no column is mapped for `{key}`")
        raise ValueError(f"missing column `{name}` (row has: {', '.join(map(str, row)) or 'nothing'})")
    return value


def text_column(
    row: Mapping[str, Any], columns: Mapping[str, str], key: str, *, required: bool = False
) -> Optional[str]:
    """Like `column`, and the value must be a string."""
    value = column(row, columns, key, required=required)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"column `{columns[key]}` must be a string, got {type(value).__name__}")
    return value


def json_column(row: Mapping[str, Any], columns: Mapping[str, str], key: str, *, required: bool = False) -> Any:
    """Like `column`, decoding a JSON string (csv files can only hold lists and objects as JSON text)."""
    value = column(row, columns, key, required=required)
    if isinstance(value, str):
        if not value.strip():
            if required:
                raise ValueError(f"column `{columns[key]}` is empty")
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as err:
            raise ValueError(f"invalid JSON in column `{columns[key]}`: {err.msg} (char {err.pos})") from None
    return value


def media_column(row: Mapping[str, Any], columns: Mapping[str, str], key: str) -> tuple[str, ...]:
    """A list of media paths or URLs (`images`, `videos`, `audios`) as a tuple of strings; a single string is one."""
    value = column(row, columns, key)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ValueError(f"column `{columns[key]}` must be a list of paths (strings)")


def tools_column(row: Mapping[str, Any], columns: Mapping[str, str], key: str = "tools") -> tuple[dict, ...]:
    """Tool schemas: a list of objects, or a JSON string of one (as LLaMA-Factory stores them); "" means none."""
    value = json_column(row, columns, key)
    if value is None:
        return ()
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(tool, dict) for tool in value):
        raise ValueError(f"column `{columns[key]}` must be a list of tool schemas (objects)")
    return tuple(value)


def kto_label(value: Any, name: str) -> bool:
    """A KTO desirability label: a bool, 0/1, or "true"/"false" (as csv files spell them)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    raise ValueError(f"column `{name}` must be true or false, got {value!r}")


def parse_tool_calls(value: Any, where: str) -> tuple[ToolCall, ...]:
    """Tool calls from `{"name": ..., "arguments": ...}` or a list of them, given as JSON text or already decoded.

    `arguments` may be an object or JSON text of one; the OpenAI shape `{"function": {...}, "id": ...}` is
    accepted too. `where` (e.g. "function_call at turn 4") goes into the error message.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as err:
            raise ValueError(f"invalid JSON in {where}: {err.msg} (char {err.pos})") from None
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ValueError(f"empty list of calls in {where}")
    calls = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError(f"{where} must be an object with `name` and `arguments`, got {type(item).__name__}")
        call_id = item.get("id")
        if isinstance(item.get("function"), dict):
            item = item["function"]
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError(f"missing tool `name` in {where}")
        arguments = item.get("arguments", {})
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments) if arguments.strip() else {}
            except json.JSONDecodeError as err:
                raise ValueError(f"invalid JSON in the arguments of {where}: {err.msg} (char {err.pos})") from None
        if not isinstance(arguments, dict):
            raise ValueError(f"the arguments of {where} must be an object, got {type(arguments).__name__}")
        calls.append(ToolCall(name=name, arguments=arguments, id=call_id if isinstance(call_id, str) else None))
    return tuple(calls)


# Where each kind of media sits in the text of a conversation (LLaMA-Factory's placeholders).
MEDIA_PLACEHOLDERS = {"images": "<image>", "videos": "<video>", "audios": "<audio>"}


def checked_media(record: Record) -> Record:
    """The record, after checking that each kind of media it carries has one placeholder per item in its text
    (ValueError otherwise).

    Counted over the prompt and each answer (a preference record is encoded once with `chosen`, once with
    `rejected`). Records without media are not checked: `<video>` or `<audio>` in a text-only record is just text
    (HTML, for instance).
    """
    endings = [("", None)]
    if record.kind == "preference":
        endings = [("chosen", record.chosen), ("rejected", record.rejected)]
    for kind, placeholder in MEDIA_PLACEHOLDERS.items():
        media = getattr(record, kind)
        if not media:
            continue
        if not all(item.strip() for item in media):
            raise ValueError(f"empty path in `{kind}`")
        for label, ending in endings:
            messages = list(record.messages) + ([ending] if ending is not None else [])
            found = sum(message.content.count(placeholder) for message in messages)
            if found != len(media):
                where = f" (with the {label} answer)" if label else ""
                raise ValueError(
                    f"{len(media)} {kind} but {found} `{placeholder}` placeholder(s) in the messages{where}: "
                    f"each item needs one `{placeholder}` where it belongs in the text"
                )
    return record
