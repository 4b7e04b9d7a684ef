"""XML signatures (XMLDSig): verification, with signxml on lxml.

Reserved module: being written (session 2)."""
