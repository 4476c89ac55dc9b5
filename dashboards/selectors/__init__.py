"""What each steering role's dashboard counts. Every function takes the user, counts only what
that user may see, and runs a fixed number of queries whatever the number of rows (aggregates,
never a loop over records)."""
