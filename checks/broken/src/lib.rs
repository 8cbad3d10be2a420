//! Des chapitres volontairement cassés, chacun avec l'erreur qu'un étudiant
//! pourrait faire : un binaire par variante (`src/bin/<variante>.rs`). Les
//! tests (`tests/mistakes.rs`) lancent sur eux les vérifications de
//! `cargo xtask verify` et exigent un ✗ qui nomme l'erreur en français.
//!
//! # Une variante = son chapitre + ses changements
//!
//! Aucune variante n'est une copie écrite à la main : chacune est définie
//! par son chapitre et les seuls changements qui font son erreur, rangés
//! dans `build/variants.rs` (un changement : le fichier du chapitre, son
//! texte, et ce que la variante en fait). `build.rs` produit la variante
//! depuis les fichiers du chapitre tels qu'ils sont aujourd'hui
//! (`build/derive.rs`) : dans `OUT_DIR/<variante>/`, le `main.rs` du
//! chapitre, les fichiers changés, et les modules qui y mènent, où chaque
//! `mod x;` reçoit un `#[path]` absolu, vers la copie changée ou vers le
//! fichier du chapitre, lu là où il est. Le binaire de la variante ne dit
//! que son erreur, et inclut ce `main.rs` (`include!`).
//!
//! Un changement fait au chapitre passe donc dans ses variantes sans rien
//! recopier. S'il touche le texte qu'une variante change, elle ne compile
//! plus, et l'erreur dit la variante, le fichier et le texte qui manque :
//! reportez le nouveau texte dans `build/variants.rs`. Le texte est cherché
//! sans tenir compte des espaces ni des lignes de commentaire, et doit être
//! unique dans son fichier.
//!
//! Pourquoi des remplacements plutôt qu'un diff unifié (comme les solutions
//! des exercices) : un diff exige ses lignes de contexte à l'identique, et
//! le moindre commentaire changé près de l'erreur le ferait refuser ; un
//! remplacement ne dépend que du code qu'il change, et se lit comme la
//! phrase « au lieu de ceci, la variante écrit cela ».
//!
//! Ajouter une variante : son entrée dans `build/variants.rs`, son
//! `src/bin/<variante>.rs` (ce qu'elle casse, et la ligne `include!`), et
//! son erreur attendue dans `tests/mistakes.rs` ; `tests/drift.rs` refuse
//! un binaire qui ne serait pas une variante produite, ou sans sa
//! vérification.
