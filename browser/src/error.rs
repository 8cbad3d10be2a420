//! Une erreur qui se lit : une phrase, pas une structure.

use std::fmt;

/// L'échec d'une vérification ou d'une commande au navigateur, sous forme
/// d'une phrase prête à afficher.
///
/// `Debug` écrit la phrase telle quelle : un test qui renvoie
/// `Result<(), browser::Error>` et échoue affiche donc le message lui-même,
/// et non `Error("…")` avec des `\n` échappés.
pub struct Error(String);

/// Le `Result` du crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Une erreur avec ce message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// Le message.
    pub fn message(&self) -> &str {
        &self.0
    }

    /// Ajoute le contexte `what` devant le message.
    #[must_use]
    pub fn context(self, what: impl fmt::Display) -> Self {
        Self(format!("{what} : {}", self.0))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Self(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Self(message.to_owned())
    }
}

/// Renvoie `Err(Error)` avec un message formaté, comme `format!`.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err($crate::Error::new(format!($($arg)*)))
    };
}

/// Vérifie une condition ; sinon renvoie `Err(Error)` avec le message donné.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($arg:tt)*) => {
        if !$cond {
            $crate::bail!($($arg)*);
        }
    };
}
