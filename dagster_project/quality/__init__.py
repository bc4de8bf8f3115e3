"""What users see of data quality: the HTML quality report written next to the warehouse."""
