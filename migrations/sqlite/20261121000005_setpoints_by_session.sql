-- The control loop reads each open session's newest setpoints, not the whole site's history.
CREATE INDEX setpoints_by_session ON setpoints (session_id, created_at);
