# Tests of ui/rows.
