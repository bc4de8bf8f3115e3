"""One module per concern: acquire, normalize, extract, model (dbt), check (GX), publish, automation."""
