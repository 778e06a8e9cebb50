-- ShedLock's locks for scheduled jobs (io.cairn.platform.scheduling): one row per job name, held until lock_until.
-- The columns are ShedLock's own (JdbcTemplateLockProvider); with usingDbTime() it sets and compares the times with
-- the database's clock, in UTC.
CREATE TABLE shedlock (
    name       varchar(64)  NOT NULL PRIMARY KEY,
    lock_until timestamp    NOT NULL,
    locked_at  timestamp    NOT NULL,
    locked_by  varchar(255) NOT NULL
);
