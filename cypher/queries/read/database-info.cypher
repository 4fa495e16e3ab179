// The database's own id (made when it was created): `idgraph replay` compares its source's and its
// target's, so it never writes into the graph it reads however the two URIs are spelled.
CALL db.info() YIELD id, name
RETURN id, name
