"""Reports for mentors, schoolopleiders and coordinators: SQL aggregates, charts, exports."""
