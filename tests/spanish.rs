//! Spanish texts end to end (issue 29): each document's language detected or set by its front
//! matter or sidecar and shown by `toc`; Spanish questions (`¿…?`, qué, quién, cuándo, dónde, por
//! qué, cómo, cuánto) answered from Spanish passages and refused when they have no subject or are
//! out of scope; accents and `ñ` never matter, in Spanish or English; a question searched against
//! each document in that document's language; floors on the Spanish question sets.

use std::path::{Path, PathBuf};
use std::process::Command;

use cabildo::config::SearchSettings;
use cabildo::engine::Engine;
use cabildo::eval;
use cabildo::language::Language;
use cabildo::{Answer, AskOptions, ask};

use crate::common::data;

/// A Spanish text written for these tests: four titled sections, seven paragraphs.
const ENSAYO: &str = "El doble poder en Bolivia

La huelga general

La huelga general de junio paralizó las minas y las fábricas. Los mineros de Huanuni marcharon \
hacia La Paz con sus cartuchos de dinamita.

El gobierno de Mesa renunció el 6 de junio de 2005, después de tres semanas de bloqueos de \
caminos en todo el altiplano.

Elementos de doble poder

El doble poder existe cuando, al lado del Estado, los trabajadores organizan sus propios órganos \
de decisión: asambleas populares, cabildos abiertos y comités de abastecimiento.

En El Alto, la Federación de Juntas Vecinales controló la distribución de gasolina y de garrafas \
de gas durante el bloqueo.

La Asamblea Constituyente

La consigna de la Asamblea Constituyente fue levantada por los partidos reformistas para desviar \
la revolución hacia el parlamento.

Jaime Solares, dirigente de la Central Obrera Boliviana, pidió a los militares patriotas que \
tomaran el poder.

Únete a nosotros

Si compartes estas ideas, escríbenos: nuestra organización se reúne cada jueves en la sede del \
sindicato de maestros, en la calle Ñuflo de Chávez.
";

/// An English text with accented words.
const ESSAY: &str = "Notes on reading

Reading together

The naïve reader of a résumé sees only the façade of the author's life, never the work behind it.

A study group meets in a café to read one chapter a week and to argue about what it means.

Dual power

Dual power exists when the workers build organs of their own beside the state: councils, \
assemblies and committees that decide.
";

/// A fresh directory under the system's temporary one, holding `files`.
fn corpus_dir(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cabildo-spanish-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (file, text) in files {
        std::fs::write(dir.join(file), text).expect("write fixture");
    }
    dir
}

fn engine(dir: &Path) -> Engine {
    let corpus = cabildo::corpus::load(dir).expect("corpus loads");
    Engine::from_corpus(corpus, None, SearchSettings::default()).expect("engine")
}

fn spanish() -> Engine {
    engine(&corpus_dir("ensayo", &[("ensayo.txt", ENSAYO)]))
}

fn answer(e: &Engine, q: &str) -> Answer {
    ask(e, q, &AskOptions::default()).expect("ask")
}

/// The passage `q` is answered with, or a panic naming the question when it is refused.
fn first(e: &Engine, q: &str) -> String {
    let a = answer(e, q);
    assert!(a.answered, "refused: {q}");
    a.results
        .first()
        .map(|h| h.passage.clone())
        .expect("a result")
}

#[test]
fn languages_are_detected_or_set_per_document_and_shown_by_toc() {
    // `notas.txt` is a few commands, too little to tell: its front matter says Spanish;
    // `lista.txt` reads as Spanish but its sidecar says English, and the sidecar wins.
    let dir = corpus_dir(
        "languages",
        &[
            ("ensayo.txt", ENSAYO),
            ("essay.txt", ESSAY),
            (
                "notas.txt",
                "---\nlanguage: es\n---\nNotas\n\nmake install\n\ndpkg -i paquete.deb\n",
            ),
            (
                "lista.txt",
                "Lista\n\nLos paquetes de la lista se instalan con apt y se actualizan cada semana.\n",
            ),
            ("lista.cabildo.toml", "language = \"en\"\n"),
        ],
    );
    let corpus = cabildo::corpus::load(&dir).expect("corpus loads");
    let language = |id: &str| {
        corpus
            .documents
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.language)
            .expect(id)
    };
    assert_eq!(language("ensayo"), Language::SPANISH);
    assert_eq!(language("essay"), Language::ENGLISH);
    assert_eq!(language("notas"), Language::SPANISH);
    assert_eq!(language("lista"), Language::ENGLISH);

    // The language is named in the words of the reader (`--lang`), not of the text.
    let toc = |lang: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_cabildo"))
            .args(["--config", "/dev/null", "--lang", lang, "--corpus"])
            .arg(&dir)
            .arg("toc")
            .env("CABILDO_DATA_DIR", dir.join("data"))
            .env_remove("CABILDO_CORPUS")
            .env_remove("RUST_LOG")
            .output()
            .expect("cabildo runs");
        let toc = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{toc}");
        toc
    };
    let en = toc("en");
    assert!(
        en.contains("(ensayo, Spanish, 7 passages)"),
        "toc shows the language: {en}"
    );
    assert!(en.contains("(essay, English, "), "{en}");
    let es = toc("es");
    assert!(es.contains("(ensayo, español, 7 pasajes)"), "{es}");
    assert!(es.contains("(essay, inglés, "), "{es}");
}

#[test]
fn spanish_question_forms_find_their_passage() {
    let e = spanish();
    for (q, needle) in [
        ("¿Qué es el doble poder?", "organizan sus propios órganos"),
        (
            "¿Quién pidió a los militares que tomaran el poder?",
            "Jaime Solares",
        ),
        (
            "¿Cuándo renunció el gobierno de Mesa?",
            "6 de junio de 2005",
        ),
        ("¿Dónde se reúne la organización?", "Ñuflo de Chávez"),
        (
            "¿Por qué levantaron la consigna de la Asamblea Constituyente?",
            "desviar la revolución",
        ),
        (
            "¿Cómo se repartió la gasolina en El Alto?",
            "Juntas Vecinales",
        ),
        ("¿Cuántas semanas duraron los bloqueos?", "tres semanas"),
        ("revolucion", "desviar la revolución"),
        ("calle Nuflo de Chavez", "Ñuflo de Chávez"),
    ] {
        let p = first(&e, q);
        assert!(p.contains(needle), "{q} → {p}");
    }
}

/// The same question typed with and without accents, `ñ`, `¿` gives the same answer with the
/// same confidence and scores, in Spanish and in English.
#[test]
fn accents_and_enye_change_nothing() {
    let same = |e: &Engine, a: &str, b: &str| {
        let (x, y) = (answer(e, a), answer(e, b));
        assert_eq!(x.answered, y.answered, "{a} / {b}");
        assert_eq!(x.confidence, y.confidence, "{a} / {b}");
        let refs = |r: &Answer| {
            r.results
                .iter()
                .map(|h| (h.reference.clone(), h.score))
                .collect::<Vec<_>>()
        };
        assert_eq!(refs(&x), refs(&y), "{a} / {b}");
        assert!(!x.results.is_empty(), "{a}");
    };
    let es = spanish();
    same(&es, "¿Qué es el doble poder?", "que es el doble poder");
    same(
        &es,
        "¿Dónde se reúne la organización los jueves?",
        "donde se reune la organizacion los jueves",
    );
    same(&es, "calle Ñuflo de Chávez", "calle Nuflo de Chavez");
    let en = engine(&corpus_dir("essay", &[("essay.txt", ESSAY)]));
    same(
        &en,
        "What does a naïve reader of a résumé see?",
        "What does a naive reader of a resume see?",
    );
    assert!(first(&en, "naive resume facade").contains("naïve reader of a résumé"));
    assert!(first(&en, "cafe").contains("café"));
}

#[test]
fn spanish_questions_without_subject_or_out_of_scope_are_refused() {
    let e = spanish();
    for q in [
        "¿Qué dice el texto?",
        "¿De qué habla el autor?",
        "que dice el capitulo",
        "¿Quién ganó el campeonato mundial de fútbol en 1986?",
        "¿Cuál es la receta de la paella valenciana?",
    ] {
        let a = answer(&e, q);
        assert!(
            !a.answered,
            "{q} → {:?} ({})",
            a.results.first().map(|h| &h.reference),
            a.confidence
        );
    }
}

/// With a multilingual model (here a tiny one of XLM-R's layout, whose cosines are high for
/// every pair, as E5's are), a question with no subject is still refused: the model vouches only
/// for a question about something.
#[test]
fn with_a_multilingual_model_a_question_without_subject_is_refused() {
    let model = tempfile::tempdir().expect("temp dir");
    crate::embed::write_tiny_xlmr(model.path(), 2);
    let dir = corpus_dir("model", &[("ensayo.txt", ENSAYO)]);
    let e = Engine::from_corpus(
        cabildo::corpus::load(&dir).expect("corpus loads"),
        None,
        SearchSettings::default(),
    )
    .expect("engine")
    .with_model(model.path(), None)
    .expect("the tiny model loads");
    let sem = e.semantic.as_ref().expect("model on");
    let q = sem.embed_question("¿Qué dice el texto?").expect("embeds");
    let best = sem.scores(&q).into_iter().fold(f32::MIN, f32::max);
    assert!(best >= 0.26, "the tiny model vouches for anything: {best}");
    for q in ["¿Qué dice el texto?", "que explica el capitulo"] {
        assert!(!answer(&e, q).answered, "{q}");
    }
    assert!(answer(&e, "¿Qué es el doble poder?").answered);
}

/// In a library of texts in two languages, each question finds the passage in its own
/// language: the question is analysed in each document's language.
#[test]
fn each_document_is_searched_in_its_own_language() {
    let e = engine(&corpus_dir(
        "mixed",
        &[("ensayo.txt", ENSAYO), ("essay.txt", ESSAY)],
    ));
    let hit = |q: &str| {
        let a = answer(&e, q);
        assert!(a.answered, "{q}");
        a.results.first().map(|h| h.doc_id.clone()).expect(q)
    };
    assert_eq!(hit("¿Qué es el doble poder?"), "ensayo");
    assert_eq!(hit("What is dual power?"), "essay");
    // English rules (here the plural `councils` → `council`) reach the English text only; the
    // Spanish stemmer meets `cabildos` and `cabildo`.
    assert_eq!(hit("Who sits on a council?"), "essay");
    assert_eq!(hit("¿Qué es un cabildo abierto?"), "ensayo");
}

fn metrics(corpus: &str, set: &str) -> (Vec<cabildo::Answer>, eval::Metrics) {
    let e = engine(&data().join(corpus));
    let qs = eval::load_questions(&data().join("eval").join(set)).expect("question set");
    eval::run(&e, &qs).expect("eval runs")
}

/// dev-es lexically, floors one question below the level measured (docs/spanish.md), and the
/// same questions typed without accents answered exactly alike, question by question.
#[test]
fn dev_es_meets_the_lexical_floor_with_or_without_accents() {
    let (with, m) = metrics("corpora/es/dev", "dev-es.jsonl");
    assert!(m.hit1 >= 0.32 && m.hit3 >= 0.58 && m.mrr10 >= 0.46, "{m:?}");
    assert!(m.false_abstain <= 6, "{m:?}");
    let (without, n) = metrics("corpora/es/dev", "dev-es-noaccents.jsonl");
    let figures = |m: &eval::Metrics| {
        (
            m.hit1,
            m.hit3,
            m.mrr10,
            m.excerpt_hit3,
            m.abstain_ok.clone(),
            m.false_abstain,
        )
    };
    assert_eq!(figures(&m), figures(&n));
    for (a, b) in with.iter().zip(&without) {
        let refs = |x: &Answer| {
            x.results
                .iter()
                .map(|h| h.reference.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(refs(a), refs(b), "{} / {}", a.query, b.query);
    }
}

/// `/texts add language:` (a server's own text, issue 28): the language the member names is the
/// text's, over detection, and stays so when the server's texts are read back from the database
/// by a fresh process; a name cabildo does not know leaves it to detection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_servers_text_takes_the_language_the_member_names() {
    use cabildo::config::LibrarySettings;
    let notes = "Notas\n\nmake install\n\ndpkg -i paquete.deb\n";
    for db in crate::store::backends("spanish_texts_add") {
        let dir = tempfile::tempdir().expect("dir");
        let lib = crate::library::library(&db.store, LibrarySettings::default(), dir.path());
        let language_of = |e: &Engine, id: &str| {
            e.corpus
                .documents
                .iter()
                .find(|d| d.id == id)
                .map(|d| d.language)
        };
        for (name, language) in [("notas.txt", Some("es")), ("otras.txt", Some("klingon"))] {
            let mut up = crate::library::upload(7, name, notes.as_bytes());
            up.language = language.map(str::to_string);
            lib.add(up, |_| {}).await.expect("added");
        }
        let e = lib.engine(Some(7)).await;
        assert_eq!(language_of(&e, "notas"), Some(Language::SPANISH));
        let detected = cabildo::language::detect(["make install", "dpkg -i paquete.deb"]);
        assert_eq!(language_of(&e, "otras"), Some(detected));
        assert_ne!(
            detected,
            Language::SPANISH,
            "the test text must not read as Spanish"
        );
        let again = crate::library::library(&db.store, LibrarySettings::default(), dir.path());
        let e = again.engine(Some(7)).await;
        assert_eq!(language_of(&e, "notas"), Some(Language::SPANISH));
    }
}

/// heldout-es (43 + 3, never tuned on; docs/spanish.md), lexically: floors one question below
/// the level measured (0.349 / 0.558 once the method was chosen; 0.302 / 0.558 since the
/// plain-text reader stopped taking table captions and admonition labels for sections — two
/// questions had ranked first through a caption's words, docs/formats.md), six answerable
/// refused.
#[test]
fn held_out_es_meets_the_lexical_floor() {
    let (_, m) = metrics("corpora/es/heldout", "heldout-es.jsonl");
    assert!(m.hit1 >= 0.27 && m.hit3 >= 0.53, "{m:?}");
    assert!(m.false_abstain <= 7, "{m:?}");
}
