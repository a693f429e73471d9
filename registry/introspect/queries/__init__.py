"""The PostgreSQL inspector's catalog queries, one `.sql` file per kind, loaded as package resources."""
