"""Peer benchmark: Splink 4 (DuckDB backend) on FEBRL3, FEBRL4 and fake_1000.

Prints one JSON line per data set: {dataset, settings, precision, recall, f1, tp, fp, fn,
clustered: {...}, seconds}, pairwise at match probability >= 0.5 (as Splink's published accuracy
tables), with recall over all true pairs (blocking misses count as false negatives). `seconds` is
wall time from registering the data to scored pairs (training + prediction), as offline-eval.ts
reports it.

Settings:
  published  Splink's own example notebooks for these sets (docs/demos/examples/duckdb/febrl3,
             febrl4, accuracy_analysis_from_labels_column): the settings behind the published F1.
  matched    idgraph's settings from peer-setups.ts translated to Splink: same blocking rules, EM
             rules, deterministic rules and seeds, and the same comparisons as far as Splink's
             comparison levels allow (no double metaphone level: that needs a precomputed column).

Tooling only: Python is never a runtime dependency of the service.

    python3 -m venv /tmp/splink-venv && /tmp/splink-venv/bin/pip install -r bench/peers/requirements.txt
    /tmp/splink-venv/bin/python bench/peers/splink_bench.py [--data DIR] [--settings published|matched|both]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from pathlib import Path

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
THRESHOLD = 0.5


def read_febrl(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, skipinitialspace=True, keep_default_na=False)
    df.columns = [c.strip() for c in df.columns]
    df = df.apply(lambda col: col.str.strip())
    df = df.replace({"": None})
    df["cluster"] = df["rec_id"].str.extract(r"^(rec-\d+)", expand=False)
    return df


def read_fake_1000(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False).replace({"": None})
    df["dob"] = pd.to_datetime(df["dob"]).dt.date
    df["email_user"] = df["email"].str.extract(r"^([^@]+)@", expand=False)
    return df


def true_pairs(frames: list[pd.DataFrame], link: bool) -> int:
    if link:
        a, b = (f["cluster"].value_counts() for f in frames)
        return int((a * b).dropna().sum())
    counts = frames[0]["cluster"].value_counts()
    return int((counts * (counts - 1) // 2).sum())


def metrics(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def clustered_metrics(clusters: pd.DataFrame, link: bool, total_true: int) -> dict:
    """Pairwise metrics of connected components at the threshold (as idgraph links persons)."""
    if link:
        sides = clusters.groupby(["cluster_id", "source_dataset"]).size().unstack(fill_value=0)
        predicted = int((sides.iloc[:, 0] * sides.iloc[:, 1]).sum()) if sides.shape[1] == 2 else 0
        both = clusters.groupby(["cluster_id", "cluster", "source_dataset"]).size().unstack(fill_value=0)
        tp = int((both.iloc[:, 0] * both.iloc[:, 1]).sum()) if both.shape[1] == 2 else 0
    else:
        sizes = clusters.groupby("cluster_id").size()
        predicted = int((sizes * (sizes - 1) // 2).sum())
        cells = clusters.groupby(["cluster_id", "cluster"]).size()
        tp = int((cells * (cells - 1) // 2).sum())
    return metrics(tp, predicted - tp, total_true - tp)


def name_levels(col: str, tf: bool, swapped_with: str | None) -> cl.CustomComparison:
    """idgraph's name comparison less the double metaphone level (Splink has no built-in for it)."""
    levels = [
        cll.NullLevel(col),
        cll.ExactMatchLevel(col, term_frequency_adjustments=tf),
    ]
    if swapped_with:
        levels.append(
            cll.CustomLevel(
                f'"{col}_l" = "{swapped_with}_r" and "{col}_r" = "{swapped_with}_l" and "{col}_l" <> "{col}_r"',
                label_for_charts="swapped",
            )
        )
    levels += [
        cll.JaroWinklerLevel(col, 0.92),
        cll.JaroWinklerLevel(col, 0.88),
        cll.JaroWinklerLevel(col, 0.7),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(output_column_name=col, comparison_levels=levels)


def date_levels(col: str, fmt: str | None) -> cl.CustomComparison:
    """Exact, one-character typo, within 31 days, year within 1 (no day/month swap level)."""
    as_date = f'try_strptime("{{c}}", \'{fmt}\')' if fmt else '"{c}"'
    left, right = as_date.format(c=f"{col}_l"), as_date.format(c=f"{col}_r")
    levels = [
        cll.NullLevel(col),
        cll.ExactMatchLevel(col),
        cll.CustomLevel(f'levenshtein(cast("{col}_l" as varchar), cast("{col}_r" as varchar)) <= 1', "typo"),
        cll.CustomLevel(f"abs(date_diff('day', {left}, {right})) <= 31", "within 31 days"),
        cll.CustomLevel(f"abs(year({left}) - year({right})) <= 1", "year within 1"),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(output_column_name=col, comparison_levels=levels)


def text_levels(col: str) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=col,
        comparison_levels=[
            cll.NullLevel(col),
            cll.ExactMatchLevel(col),
            cll.JaroWinklerLevel(col, 0.92),
            cll.JaroWinklerLevel(col, 0.8),
            cll.ElseLevel(),
        ],
    )


def febrl3(data: Path, variant: str) -> dict:
    df = read_febrl(data / "febrl" / "dataset3.csv")
    blocking = [
        block_on("soc_sec_id"),
        block_on("given_name"),
        block_on("surname"),
        block_on("date_of_birth"),
        block_on("postcode"),
    ]
    if variant == "published":
        comparisons = [
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ]
    else:
        comparisons = [
            name_levels("given_name", False, "surname"),
            name_levels("surname", False, "given_name"),
            date_levels("date_of_birth", "%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]).configure(term_frequency_adjustments=True),
            text_levels("address_1"),
            text_levels("suburb"),
        ]
    deterministic = [
        block_on("soc_sec_id"),
        block_on("given_name", "surname", "date_of_birth"),
        "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth",
    ]
    return run(
        "febrl3",
        variant,
        [df],
        "dedupe_only",
        comparisons,
        blocking,
        deterministic,
        0.9,
        [block_on("date_of_birth"), block_on("postcode")],
        seed=2,
        without_tf=False,
    )


def febrl4(data: Path, variant: str) -> dict:
    frames = [read_febrl(data / "febrl" / f"dataset4{side}.csv") for side in "ab"]
    blocking = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    if variant == "published":
        comparisons = [
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        ]
    else:
        comparisons = [
            name_levels("given_name", True, "surname"),
            name_levels("surname", True, "given_name"),
            date_levels("date_of_birth", "%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
            text_levels("address_1"),
            text_levels("suburb"),
        ]
    deterministic = [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")]
    return run(
        "febrl4",
        variant,
        frames,
        "link_only",
        comparisons,
        blocking,
        deterministic,
        0.8,
        [block_on("date_of_birth"), block_on("postcode")],
        seed=1,
        without_tf=True,
    )


def fake_1000(data: Path, variant: str) -> dict:
    df = read_fake_1000(data / "fake_1000" / "fake_1000.csv")
    blocking = [block_on("first_name"), block_on("surname"), block_on("dob"), block_on("email")]
    if variant == "published":
        comparisons = [
            cl.ForenameSurnameComparison("first_name", "surname"),
            cl.DateOfBirthComparison("dob", input_is_string=False),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
        ]
    else:
        comparisons = [
            name_levels("first_name", True, "surname"),
            name_levels("surname", True, "first_name"),
            date_levels("dob", None),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("email", [1]),
        ]
    deterministic = [
        "l.first_name = r.first_name and levenshtein(r.dob::VARCHAR, l.dob::VARCHAR) <= 1",
        "l.surname = r.surname and levenshtein(r.dob::VARCHAR, l.dob::VARCHAR) <= 1",
        "l.first_name = r.first_name and levenshtein(r.surname, l.surname) <= 2",
        "l.email = r.email",
    ]
    em_rules = [block_on("dob"), block_on("email"), block_on("first_name", "surname")]
    return run(
        "fake_1000",
        variant,
        [df],
        "dedupe_only",
        comparisons,
        blocking,
        deterministic,
        0.7,
        em_rules,
        seed=5,
        without_tf=True,
        unique_id="unique_id",
    )


def run(
    name: str,
    variant: str,
    frames: list[pd.DataFrame],
    link_type: str,
    comparisons: list,
    blocking: list,
    deterministic: list,
    recall: float,
    em_rules: list,
    seed: int,
    without_tf: bool,
    unique_id: str = "rec_id",
) -> dict:
    started = time.perf_counter()
    db_api = DuckDBAPI()
    settings = SettingsCreator(
        unique_id_column_name=unique_id,
        link_type=link_type,
        blocking_rules_to_generate_predictions=blocking,
        comparisons=comparisons,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=["cluster"],
    )
    linker = Linker(frames if len(frames) > 1 else frames[0], settings, db_api)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=seed)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=without_tf
        )
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    pairs = predictions.as_pandas_dataframe()
    seconds = time.perf_counter() - started
    link = link_type == "link_only"
    total_true = true_pairs(frames, link)
    tp = int((pairs["cluster_l"] == pairs["cluster_r"]).sum())
    result = {"dataset": name, "settings": variant, **metrics(tp, len(pairs) - tp, total_true - tp)}
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=THRESHOLD
    ).as_pandas_dataframe()
    result["clustered"] = clustered_metrics(clusters, link, total_true)
    result["lambda"] = linker._settings_obj._probability_two_random_records_match
    result["seconds"] = round(seconds, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("IDGRAPH_SHARED_DATA", DEFAULT_DATA)))
    parser.add_argument("--settings", choices=["published", "matched", "both"], default="both")
    parser.add_argument("--only", default="febrl3,febrl4,fake_1000")
    args = parser.parse_args()
    logging.getLogger("splink").setLevel(logging.ERROR)
    variants = ["published", "matched"] if args.settings == "both" else [args.settings]
    runners = {"febrl3": febrl3, "febrl4": febrl4, "fake_1000": fake_1000}
    for dataset in args.only.split(","):
        for variant in variants:
            print(json.dumps(runners[dataset](args.data, variant)), flush=True)


if __name__ == "__main__":
    main()
