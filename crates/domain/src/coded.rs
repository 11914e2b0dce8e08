//! `coded!`: an enum of stored codes with `ALL`, a stable `code()`, a Chinese `label_zh()` and
//! `from_code()`. Storage keeps the codes, so a code never changes once released.

macro_rules! coded {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $code:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)+];
            /// Stable code, stored in the database.
            pub fn code(self) -> &'static str { match self { $($name::$v => $code,)+ } }
            /// The stored code, as [`Self::code`].
            pub fn as_str(self) -> &'static str { self.code() }
            pub fn label_zh(self) -> &'static str { match self { $($name::$v => $label,)+ } }
            pub fn from_code(code: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
            /// The value whose Chinese label is `label`, as files and forms write it.
            pub fn from_label_zh(label: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.label_zh() == label)
            }
        }
    };
}
