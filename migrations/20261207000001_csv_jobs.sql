-- CSV imports and exports as background jobs. A job's files (the uploaded CSV, an
-- export's result) are kept in the database in chunks of whole lines, so the worker of
-- any instance reads what another instance received, and a download streams them back
-- without holding a whole file in memory. They go with their job.
CREATE TABLE job_files (
    job_id BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    name   TEXT NOT NULL CHECK (name IN ('upload', 'result')),
    seq    INTEGER NOT NULL CHECK (seq >= 0),
    data   BYTEA NOT NULL CHECK (length(data) <= 4194304),
    PRIMARY KEY (job_id, name, seq)
);

-- A form submitted twice leads to the job the first submission queued.
CREATE UNIQUE INDEX jobs_form_key ON jobs ((input ->> 'key')) WHERE input ? 'key';
