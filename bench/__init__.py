"""Scale data and benchmarks. Never part of `make test`."""
