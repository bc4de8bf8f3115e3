"""One module per concern: acquire, extract (decode and read each page), model (dbt), check (GX), publish, automation."""
