//! Node binding of finauth (placeholder until the binding lands).
