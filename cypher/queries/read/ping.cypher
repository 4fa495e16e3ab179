// Liveness probe used by /readyz.
RETURN 1 AS ok
