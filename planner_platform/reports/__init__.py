"""Reports that write themselves from what is recorded: the planner team's monthly report with its sign-off chain,
and the sub-district and district monthly reports (PDF and XLSX) generated on a schedule. Every figure is the
monitoring's indicator figure; reports sit above monitoring and read it."""
