"""The planner's workbench in the browser (`relocsim dashboard`): levers from the schema, runs in the background, results beside the baseline."""
