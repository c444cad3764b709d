//! Spanish question words, part of question analysis: the function words a Spanish question
//! drops (stop words), the words about the asking that weigh less (`¿Qué dice el texto sobre…?`),
//! and the few stop words that are nouns after a determiner (`el estado del paquete`). All folded
//! as [`crate::analysis::fold`] folds them, so `cómo` and `como` are the same word.
//!
//! The stop words are Snowball's Spanish list (from the Snowball project, BSD licence, as
//! shipped in tantivy's `stopwords.rs`: articles, pronouns, prepositions, conjunctions and the
//! forms of `estar`, `haber`, `ser` and `tener`), with what a question adds to running text: the
//! question words (`cuál`, `cuánto`, `adónde`), the modal verbs `poder` and `deber` (English
//! drops `can`, `should`), `usted`/`ustedes`/`vos`, and adverbs English also drops (`solo`,
//! `aquí`, `entonces`).

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::analysis::fold;

/// Snowball's Spanish stop words.
const SNOWBALL: &str = "de la que el en y a los del se las por un para con no una su al lo como \
más pero sus le ya o este sí porque esta entre cuando muy sin sobre también me hasta hay donde \
quien desde todo nos durante todos uno les ni contra otros ese eso ante ellos e esto mí antes \
algunos qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual poco ella \
estar estas algunas algo nosotros mi mis tú te ti tu tus ellas nosotras vosotros vosotras os mío \
mía míos mías tuyo tuya tuyos tuyas suyo suya suyos suyas nuestro nuestra nuestros nuestras \
vuestro vuestra vuestros vuestras esos esas estoy estás está estamos estáis están esté estés \
estemos estéis estén estaré estarás estará estaremos estaréis estarán estaría estarías \
estaríamos estaríais estarían estaba estabas estábamos estabais estaban estuve estuviste estuvo \
estuvimos estuvisteis estuvieron estuviera estuvieras estuviéramos estuvierais estuvieran \
estuviese estuvieses estuviésemos estuvieseis estuviesen estando estado estada estados estadas \
estad he has ha hemos habéis han haya hayas hayamos hayáis hayan habré habrás habrá habremos \
habréis habrán habría habrías habríamos habríais habrían había habías habíamos habíais habían \
hube hubiste hubo hubimos hubisteis hubieron hubiera hubieras hubiéramos hubierais hubieran \
hubiese hubieses hubiésemos hubieseis hubiesen habiendo habido habida habidos habidas soy eres es \
somos sois son sea seas seamos seáis sean seré serás será seremos seréis serán sería serías \
seríamos seríais serían era eras éramos erais eran fui fuiste fue fuimos fuisteis fueron fuera \
fueras fuéramos fuerais fueran fuese fueses fuésemos fueseis fuesen siendo sido tengo tienes \
tiene tenemos tenéis tienen tenga tengas tengamos tengáis tengan tendré tendrás tendrá tendremos \
tendréis tendrán tendría tendrías tendríamos tendríais tendrían tenía tenías teníamos teníais \
tenían tuve tuviste tuvo tuvimos tuvisteis tuvieron tuviera tuvieras tuviéramos tuvierais \
tuvieran tuviese tuvieses tuviésemos tuvieseis tuviesen teniendo tenido tenida tenidos tenidas \
tened";

/// What a question adds: question words, `poder`/`deber`, forms of address, adverbs.
const QUESTION: &str = "cuál cuáles cuánto cuánta cuántos cuántas adónde dónde cómo quién \
quiénes cuándo porqué puedo puedes puede podemos podéis pueden pueda puedas podamos puedan \
podría podrías podríamos podrían podrá podrán poder debo debes debe debemos debéis deben deba \
debas deban debería deberías deberíamos deberían deber usted ustedes vos solo sólo solamente \
aquí allí ahí así entonces tan cada mismo misma mismos mismas alguno alguna algún ningún \
ninguno ninguna";

/// Words about the asking: the text, its parts, saying, explaining, meaning, and `servir` of
/// `¿para qué sirve…?` (what is it for), the commonest way to ask what something does.
const META: &str = "texto textos autor autora autores escritor escritora libro artículo \
capítulo sección párrafo pasaje cita citar versículo ensayo dice dicen dijo dicho decir \
menciona mencionan mencionar explica explican explicar describe describen describir habla \
hablan hablar significa significan significado significar según sirve sirven servir";

/// Stop words that are nouns after a determiner (`el estado`, `sus estados`).
const NOUNS: &[&str] = &["estado", "estados"];
/// Words after which [`NOUNS`] are nouns (folded).
const DETERMINERS: &[&str] = &[
    "al", "cada", "del", "el", "esa", "ese", "esos", "este", "estos", "la", "las", "los", "mi",
    "mis", "nuestro", "nuestros", "su", "sus", "tu", "tus", "un", "unos",
];

fn folded(words: &[&str]) -> HashSet<String> {
    words
        .iter()
        .flat_map(|w| w.split_whitespace())
        .map(fold)
        .collect()
}

static STOP: LazyLock<HashSet<String>> = LazyLock::new(|| folded(&[SNOWBALL, QUESTION]));
static META_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| folded(&[META]));

/// A Spanish function word (folded).
pub fn is_stop_word(surface: &str) -> bool {
    STOP.contains(surface)
}

/// A Spanish word about the asking (folded).
pub fn is_meta_word(surface: &str) -> bool {
    META_WORDS.contains(surface)
}

/// Whether the stop word `surface` is a noun here, after the word `before` (folded).
pub fn is_noun_after(surface: &str, before: &str) -> bool {
    NOUNS.contains(&surface) && DETERMINERS.contains(&before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_words_are_stop_words_with_or_without_accents() {
        for w in [
            "qué", "que", "quién", "cuándo", "dónde", "por", "cómo", "cuántos", "usted",
        ] {
            assert!(is_stop_word(&fold(w)), "{w}");
        }
        for w in ["paquete", "desarrollador", "red", "contraseña"] {
            assert!(!is_stop_word(&fold(w)), "{w}");
        }
        assert!(is_meta_word("dice") && is_meta_word(&fold("capítulo")));
        assert!(is_noun_after("estado", "el") && !is_noun_after("estado", "ha"));
        assert!(DETERMINERS.windows(2).all(|w| w[0] < w[1]));
    }
}
