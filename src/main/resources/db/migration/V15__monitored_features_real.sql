-- The input rows kept for segments are FP32 values in most models: real[] halves what each prediction writes, and
-- EXTERNAL keeps PostgreSQL from trying to compress random floats (which fails, after spending the CPU) once a
-- multi-row prediction's array passes the TOAST threshold. Measured by bench/monitoring.sh (docs/benchmarks.md).
ALTER TABLE monitored_predictions ALTER COLUMN features TYPE real[];
ALTER TABLE monitored_predictions ALTER COLUMN features SET STORAGE EXTERNAL;
