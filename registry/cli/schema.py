"""`schemareg schema`: export the canonical schema of a DDL file."""
