//! Les vérifications des chapitres (en cours d'écriture).
