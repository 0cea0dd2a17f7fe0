-- Why a setpoint is not in force: the vendor's refusal or the fault that left its outcome
-- unknown (http_503, timeout, reset, unreadable_body, no_result, ...). NULL when pending or
-- accepted, and for setpoints stored before this migration.
ALTER TABLE setpoints ADD COLUMN reason TEXT;
