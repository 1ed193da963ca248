//! What every enum named by a string on the wire has: `Display` as its name, `FromStr` back
//! from it over its `ALL`, and an `Unknown…` error that keeps the string it could not read.

/// Implements `Display` and `FromStr` for an enum by its wire name (`$ty::$name()`, over
/// `$ty::ALL`), and defines the `$unknown` error of `FromStr` with its message.
macro_rules! wire_names {
    ($ty:ident by $name:ident, $(#[$doc:meta])* $unknown:ident: $message:literal) => {
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.$name())
            }
        }

        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $unknown(pub String);

        impl ::std::fmt::Display for $unknown {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, $message, self.0)
            }
        }

        impl ::std::error::Error for $unknown {}

        impl ::std::str::FromStr for $ty {
            type Err = $unknown;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.$name() == s)
                    .ok_or_else(|| $unknown(s.to_owned()))
            }
        }
    };
}

pub(crate) use wire_names;
