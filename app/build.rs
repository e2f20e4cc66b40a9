//! Generates the scoped CSS of every `style!` in `src/` with stylers' own parser, and
//! refuses to build when two different styles would share a class name.
//!
//! stylers 1.0 names a style's class from its count of non-whitespace characters, so two
//! styles of the same length collide silently. The `style!` macro and this script derive
//! the name the same way, which also makes it identical in the server and browser builds.

use proc_macro2::TokenStream;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use stylers_core::{Class, from_ts};
use syn::visit::Visit;

struct Finder {
    file: PathBuf,
    found: Vec<(PathBuf, usize, TokenStream)>,
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if mac.path.segments.last().is_some_and(|s| s.ident == "style") {
            let line = mac
                .path
                .segments
                .first()
                .map(|s| s.ident.span().start().line)
                .unwrap_or(0);
            self.found
                .push((self.file.clone(), line, mac.tokens.clone()));
        }
        syn::visit::visit_macro(self, mac);
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=src");
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);

    let mut finder = Finder {
        file: PathBuf::new(),
        found: Vec::new(),
    };
    for file in files {
        let text =
            fs::read_to_string(&file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
        let ast =
            syn::parse_file(&text).unwrap_or_else(|e| panic!("parse {}: {e}", file.display()));
        finder.file = file;
        finder.visit_file(&ast);
    }

    // class -> (css, where it was defined); every occurrence goes into the manifest.
    let mut styles: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut manifest = String::new();
    for (file, line, tokens) in finder.found {
        let class = Class::rand_class_from_seed(tokens.to_string());
        let (css, _) = from_ts(tokens.into_iter(), &class, false);
        let place = format!("{}:{line}", file.display());
        manifest.push_str(&format!("{}\t{place}\t{}\n", class.as_name(), fnv(&css)));
        match styles.get(class.as_name()) {
            Some((other_css, other_place)) if *other_css != css => panic!(
                "stylers class-name collision: the styles at {other_place} and {place} both get \
                 class `{}` (stylers derives it from the style's length). Change the length of \
                 one of them, e.g. by adding or removing a declaration.",
                class.as_name()
            ),
            Some(_) => {}
            None => {
                styles.insert(class.as_name().to_owned(), (css, place));
            }
        }
    }

    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    // The served stylesheet says nothing about the sources (their paths stay in the
    // manifest, for tests and collision messages).
    let mut css = String::new();
    for (style, _) in styles.values() {
        css.push_str(style);
        css.push('\n');
    }
    fs::write(out.join("scoped.css"), css).expect("write scoped.css");
    fs::write(out.join("scoped-classes.tsv"), manifest).expect("write scoped-classes.tsv");
}

fn fnv(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}
