//! Python binding of finauth (placeholder until the binding lands).
