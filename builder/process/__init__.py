"""Process definitions, the dossier's life, deadlines and dossier codes."""
