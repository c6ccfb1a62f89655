# Tests of ui/dashboard.
