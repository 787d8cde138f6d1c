"""Sharing the suite out among shards and workers: whole files by size, big files split
by scenario, the same answer wherever it is computed."""

from __future__ import annotations

from pathlib import Path

from flowspec.bdd.selection import Part, Share, share_out


def suite(folder: Path, sizes: list[int]) -> list[Path]:
    files = []
    for n, size in enumerate(sizes):
        file = folder / f"f{n:02}.feature"
        file.write_text("x" * size)
        files.append(file)
    return files


def owners(shares: list[Share]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for share in shares:
        for file in share.files:
            found.setdefault(Path(file).name, []).append(share.part)
    return found


def test_one_part_runs_every_file_whole(tmp_path: Path) -> None:
    """Without shards or workers the one share is the whole suite, in suite order."""
    files = suite(tmp_path, [30, 10, 20])
    [share] = share_out(files)
    assert share.files == tuple(str(f) for f in files)
    assert share.shared == ()
    assert (share.part, share.parts) == (0, 1)


def test_files_go_whole_to_the_least_loaded_part_largest_first(tmp_path: Path) -> None:
    """Each file is parsed by exactly one worker, and the loads by size come out even."""
    files = suite(tmp_path, [50, 40, 30, 30, 20, 20, 10])
    shares = share_out(files, workers=2)
    assert all(len(parts) == 1 for parts in owners(shares).values())
    loads = [sum(Path(f).stat().st_size for f in share.files) for share in shares]
    assert sorted(loads) == [100, 100]
    assert all(list(share.files) == sorted(share.files) for share in shares)


def test_a_file_larger_than_a_fair_share_is_split_by_scenario(tmp_path: Path) -> None:
    """A feature holding most of the suite is parsed by every part, each running its
    scenarios in turn, so one big file does not leave a worker idle."""
    files = suite(tmp_path, [900, 40, 30, 30])
    shares = share_out(files, workers=2)
    assert owners(shares)["f00.feature"] == [0, 1]
    assert all(share.shared == (str(files[0].resolve()),) for share in shares)


def test_shards_agree_with_one_plan_of_every_part(tmp_path: Path) -> None:
    """Shard K of N with M workers gets parts (K-1)*M .. K*M-1 of the same plan, so CI
    jobs on different machines share the suite out alike."""
    files = suite(tmp_path, [5, 9, 7, 3, 8, 6, 4, 2])
    everything = share_out(files, Part(1, 1), workers=4)
    shards = [share for k in (1, 2) for share in share_out(files, Part(k, 2), workers=2)]
    assert shards == everything
    assert sorted(f for share in shards for f in share.files) == sorted(str(f) for f in files)


def test_fewer_files_than_workers_still_keeps_every_worker_busy(tmp_path: Path) -> None:
    """Two files for four workers: each file outweighs a fair share, so all four parse
    both and run every fourth scenario; an empty suite gives no share at all."""
    shares = share_out(suite(tmp_path, [5, 5]), workers=4)
    assert [share.part for share in shares] == [0, 1, 2, 3]
    assert all(len(share.shared) == 2 for share in shares)
    assert share_out([], workers=4) == []


def test_a_share_reads_back_as_written(tmp_path: Path) -> None:
    """A worker reads its share from the file flowspec run wrote."""
    [share, _] = share_out(suite(tmp_path, [900, 40, 30]), workers=2)
    (tmp_path / "share.json").write_text(share.dumps())
    assert Share.read(tmp_path / "share.json") == share
