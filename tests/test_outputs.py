"""Output files and folders: written whole or not at all, with the umask's modes, and never
over what is the user's (`coopgraph.outputs`)."""

from __future__ import annotations

import errno
import json
import os
import stat
import threading
from pathlib import Path

import pytest

from coopgraph.errors import CoopgraphError
from coopgraph.model import resources
from coopgraph.outputs import (
    MARKER,
    atomic_folder,
    check_output_file,
    check_output_folder,
    write_atomically,
)


@pytest.fixture(autouse=True)
def _home_and_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    work = home / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def _snapshot(folder: Path) -> dict[str, bytes | str]:
    return {
        str(path.relative_to(folder)): path.read_bytes() if path.is_file() else "dir"
        for path in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_a_written_file_follows_the_umask(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        write_atomically(tmp_path / "out.csv", "a,b\n")
    finally:
        os.umask(previous)
    assert (tmp_path / "out.csv").stat().st_mode & 0o777 == 0o666 & ~umask


def test_writing_over_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    with pytest.raises(CoopgraphError, match="it is a folder"):
        write_atomically(tmp_path / "d", "x")


def test_a_full_disk_leaves_the_earlier_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.ttl"
    target.write_text("earlier", encoding="utf-8")

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("coopgraph.outputs.os.fchmod", full)
    with pytest.raises(CoopgraphError, match="No space left on device"):
        write_atomically(target, "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "out.ttl"]
    assert target.read_text(encoding="utf-8") == "earlier"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (".", "is the current folder"),
        ("x/..", "is the current folder"),
        ("", "is the current folder"),
        ("..", "is your home folder"),  # the current folder is ~/work
        ("../..", "holds your home folder"),
        ("/", "is the root of the file system"),
        ("~", "is your home folder"),
    ],
)
def test_places_that_are_never_an_output_folder(given: str, message: str) -> None:
    Path("x").mkdir()
    directory = Path(given).expanduser()
    with pytest.raises(CoopgraphError, match=message):
        check_output_folder(directory, "report")


def test_the_home_folder_is_refused_even_when_empty(tmp_path: Path) -> None:
    empty_home = tmp_path / "home2"
    empty_home.mkdir()
    os.environ["HOME"] = str(empty_home)
    with pytest.raises(CoopgraphError, match="is your home folder"):
        check_output_folder(empty_home, "release")


def test_the_inputs_and_the_bundled_data_are_never_an_output_folder(tmp_path: Path) -> None:
    data = tmp_path / "mydata"
    data.mkdir()
    (data / "a.ttl").write_text("", encoding="utf-8")
    with pytest.raises(CoopgraphError, match=r"holds .*a\.ttl, which coopgraph reads"):
        check_output_folder(data, "report", [data / "a.ttl"])
    bundled = resources.asset_dir("data")
    with pytest.raises(CoopgraphError, match="which coopgraph reads"):
        check_output_folder(bundled, "report", resources.asset_folders())
    with pytest.raises(CoopgraphError, match=r"is inside .*, which coopgraph reads"):
        check_output_folder(bundled / "report", "report", resources.asset_folders())


def test_a_symbolic_link_loop_as_output_is_named(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(CoopgraphError, match="loop"):
        check_output_folder(loop, "report")


def test_a_folder_of_the_users_is_refused_with_the_files_in_the_way(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in ("a.txt", "b.txt", "c.txt", "d.txt", "e.txt"):
        (mine / name).write_text(name, encoding="utf-8")
    before = _snapshot(mine)
    with pytest.raises(CoopgraphError) as caught, atomic_folder(mine, "report") as staging:
        (staging / "index.html").write_text("new", encoding="utf-8")
    assert "a.txt, b.txt, c.txt and 2 more" in str(caught.value)
    assert _snapshot(mine) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "mine"]


def _written(folder: Path, what: str = "report", files: dict[str, str] | None = None) -> None:
    with atomic_folder(folder, what) as staging:
        for name, text in (files or {"index.html": "one", "pages/a.html": "a"}).items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text, encoding="utf-8")


def test_an_earlier_coopgraph_folder_is_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "report"
    _written(out)
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker["command"] == "report"
    assert set(marker["files"]) == {"index.html", "pages/a.html"}
    assert marker["folders"] == ["pages"]
    _written(out, files={"index.html": "two"})
    assert (out / "index.html").read_text(encoding="utf-8") == "two"
    assert not (out / "pages").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "report"]


def test_an_empty_folder_is_written_into(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    _written(out)
    assert (out / "index.html").is_file()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda out: (out / "notes.txt").write_text("mine", encoding="utf-8"), "notes.txt"),
        (lambda out: (out / "pages" / "mine.html").write_text("x", encoding="utf-8"), "mine.html"),
        (lambda out: (out / "own").mkdir(), "own"),
        (lambda out: (out / "index.html").write_text("edited", encoding="utf-8"), "index.html"),
    ],
)
def test_a_coopgraph_folder_the_user_added_to_is_refused(
    tmp_path: Path, change: object, message: str
) -> None:
    out = tmp_path / "report"
    _written(out)
    change(out)  # type: ignore[operator]
    before = _snapshot(out)
    with pytest.raises(CoopgraphError, match=message):
        _written(out, files={"index.html": "two"})
    assert _snapshot(out) == before


def test_a_file_added_while_the_folder_is_written_is_not_lost(tmp_path: Path) -> None:
    out = tmp_path / "report"
    _written(out)
    with pytest.raises(CoopgraphError, match=r"late\.txt"), atomic_folder(out, "report") as staging:
        (staging / "index.html").write_text("two", encoding="utf-8")
        (out / "late.txt").write_text("added meanwhile", encoding="utf-8")
    assert (out / "late.txt").read_text(encoding="utf-8") == "added meanwhile"
    assert (out / "index.html").read_text(encoding="utf-8") == "one"


def test_a_release_is_not_written_over_a_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _written(out, "report")
    with pytest.raises(CoopgraphError, match="holds a coopgraph report, not a release"):
        _written(out, "release")


def test_a_damaged_marker_makes_the_folder_the_users(tmp_path: Path) -> None:
    out = tmp_path / "report"
    _written(out)
    (out / MARKER).write_text("{not json", encoding="utf-8")
    with pytest.raises(CoopgraphError, match="not written by coopgraph"):
        _written(out)
    assert (out / "index.html").read_text(encoding="utf-8") == "one"


def test_a_full_disk_while_writing_leaves_the_earlier_folder_intact(tmp_path: Path) -> None:
    out = tmp_path / "report"
    _written(out)
    before = _snapshot(out)
    with pytest.raises(CoopgraphError, match="No space left on device"):  # noqa: SIM117
        with atomic_folder(out, "report") as staging:
            (staging / "index.html").write_text("half", encoding="utf-8")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "report"]


def test_a_file_where_the_folder_should_be_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(CoopgraphError, match="exists and is not a folder"):
        check_output_folder(target, "report")


def test_a_symbolic_link_to_a_folder_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(CoopgraphError, match="is a symbolic link"):
        check_output_folder(tmp_path / "link", "report")


def test_an_output_file_is_not_a_folder_nor_an_input(tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text("", encoding="utf-8")
    with pytest.raises(CoopgraphError, match="is a folder"):
        check_output_file(tmp_path, [data])
    with pytest.raises(CoopgraphError, match="which coopgraph reads"):
        check_output_file(tmp_path / "." / "data.ttl", [data])
    link = tmp_path / "link.ttl"
    link.symlink_to(data)
    with pytest.raises(CoopgraphError, match="which coopgraph reads"):
        check_output_file(link, [data])
    with pytest.raises(CoopgraphError, match="is inside"):
        check_output_file(resources.asset_dir("data") / "x.csv", resources.asset_folders())
    check_output_file(tmp_path / "out.csv", [data])


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    write_atomically(target, "new")
    assert target.stat().st_mode & 0o777 == 0o640
    assert target.read_text(encoding="utf-8") == "new"


def test_a_symbolic_link_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_atomically(link, "new")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"


def test_a_named_pipe_is_written_into_not_replaced(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    write_atomically(pipe, "through the pipe")
    reader.join(timeout=10)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(pipe.lstat().st_mode)


@pytest.mark.parametrize("given", ["~", "~/report", "~user/x"])
def test_an_unexpanded_tilde_is_refused(given: str) -> None:
    with pytest.raises(CoopgraphError, match="which the shell did not expand"):
        check_output_folder(Path(given), "report")
    with pytest.raises(CoopgraphError, match="which the shell did not expand"):
        write_atomically(Path(given), "x")
    assert not Path("~").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["query", "timeline", "--format", "csv"],
        ["sparql", "-q", "SELECT * WHERE { ?s a cg:State } LIMIT 2"],
        ["export", "--format", "nt"],
    ],
    ids=["query", "sparql", "export"],
)
def test_every_output_file_of_the_command_line_follows_the_umask(
    tmp_path: Path, command: list[str]
) -> None:
    from click.testing import CliRunner  # noqa: PLC0415

    from coopgraph.cli import main  # noqa: PLC0415

    out = tmp_path / "out.txt"
    previous = os.umask(0o022)
    try:
        result = CliRunner().invoke(main, [*command, "-o", str(out)])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o644
