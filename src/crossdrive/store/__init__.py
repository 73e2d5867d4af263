"""The case store: Parquet shards written by tasks, merged into one DuckDB database."""
