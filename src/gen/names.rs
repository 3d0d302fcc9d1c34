//! Names for a population, not for a sample: drawn so that two clients
//! share a first and last name about as rarely as in a real client base.
//!
//! In: a locale, a gender, the name the sample pools gave (`locales`), and
//! a random stream of its own (so every other value of a row, and every
//! planted error, is the same as with the sample pools). Out: a first and
//! a last name, each as written natively and as an ASCII spelling for
//! e-mail addresses. Surnames in alphabetic scripts are built from
//! syllables and the endings of the country's surnames (-escu, -shvili,
//! -opoulos, -ski/-ska, …); where names are built from characters or
//! syllables (Chinese, Japanese, Korean, Vietnamese) the given name is;
//! Egyptian names carry the father's and grandfather's names, Indian first
//! names two given names. Never fails.

use fastrand::Rng;

use super::locales::{Locale, Name};

/// A name drawn here: native spelling and ASCII spelling.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Drawn {
    pub native: String,
    pub ascii: String,
}

impl Drawn {
    fn clear(&mut self) {
        self.native.clear();
        self.ascii.clear();
    }

    fn push(&mut self, n: &Name) {
        self.native.push_str(n.0);
        self.ascii.push_str(n.1);
    }

    /// Appends a separate part (a space natively, nothing in ASCII).
    fn push_word(&mut self, n: &Name) {
        if !self.native.is_empty() {
            self.native.push(' ');
        }
        self.push(n);
    }
}

/// Syllable parts for a surname in an alphabetic script: onsets, vowels,
/// codas (ASCII, rendered by `script`), and the endings by gender.
struct Syllables {
    onsets: &'static [&'static str],
    vowels: &'static [&'static str],
    codas: &'static [&'static str],
    endings_male: &'static [Name],
    endings_female: &'static [Name],
    script: Script,
}

#[derive(Clone, Copy)]
enum Script {
    Latin,
    Cyrillic,
    Greek,
    Georgian,
}

const SIMPLE_ONSETS: &[&str] = &[
    "b", "d", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "f", "h",
];
const SIMPLE_VOWELS: &[&str] = &["a", "e", "i", "o", "u"];
const SIMPLE_CODAS: &[&str] = &["", "", "", "n", "r", "l", "s", "m"];

#[rustfmt::skip]
const DE: Syllables = Syllables {
    onsets: &["b", "br", "d", "f", "g", "gr", "h", "k", "kl", "l", "m", "n", "r", "s", "sch", "st", "t", "w", "z", "pf"],
    vowels: &["a", "e", "i", "o", "u", "au", "ei"],
    codas: &["", "", "n", "r", "l", "ck", "s", "m", "nd"],
    endings_male: &[Name("mann", "mann"), Name("er", "er"), Name("berg", "berg"), Name("bauer", "bauer"),
        Name("hofer", "hofer"), Name("meier", "meier"), Name("inger", "inger"), Name("feld", "feld"),
        Name("haus", "haus"), Name("ke", "ke"), Name("stein", "stein"), Name("ner", "ner")],
    endings_female: &[],
    script: Script::Latin,
};
#[rustfmt::skip]
const FR: Syllables = Syllables {
    onsets: &["b", "br", "ch", "d", "f", "g", "gr", "j", "l", "m", "n", "p", "r", "s", "t", "v"],
    vowels: &["a", "e", "i", "o", "ou", "au", "é"],
    codas: &["", "", "r", "l", "n", "s"],
    endings_male: &[Name("eau", "eau"), Name("ier", "ier"), Name("ard", "ard"), Name("et", "et"),
        Name("in", "in"), Name("on", "on"), Name("ot", "ot"), Name("and", "and"), Name("elle", "elle"), Name("ault", "ault")],
    endings_female: &[],
    script: Script::Latin,
};
#[rustfmt::skip]
const ES: Syllables = Syllables {
    onsets: &["b", "c", "d", "f", "g", "j", "l", "ll", "m", "n", "p", "r", "s", "t", "v", "z", "ch"],
    vowels: &["a", "e", "i", "o", "u", "ue", "ia"],
    codas: &["", "", "", "r", "l", "n", "s"],
    endings_male: &[Name("ez", "ez"), Name("es", "es"), Name("ado", "ado"), Name("ero", "ero"),
        Name("illa", "illa"), Name("ino", "ino"), Name("ón", "on"), Name("ales", "ales"), Name("eda", "eda")],
    endings_female: &[],
    script: Script::Latin,
};
#[rustfmt::skip]
const PT: Syllables = Syllables {
    onsets: &["b", "c", "d", "f", "g", "j", "l", "m", "n", "p", "r", "s", "t", "v", "br", "fr"],
    vowels: &["a", "e", "i", "o", "u", "ei", "ou"],
    codas: &["", "", "", "r", "l", "s"],
    endings_male: &[Name("eira", "eira"), Name("ado", "ado"), Name("inho", "inho"), Name("es", "es"),
        Name("ão", "ao"), Name("elo", "elo"), Name("ares", "ares"), Name("ança", "anca")],
    endings_female: &[],
    script: Script::Latin,
};
#[rustfmt::skip]
const PL: Syllables = Syllables {
    onsets: &["b", "ch", "d", "g", "k", "kr", "l", "m", "n", "p", "pr", "r", "s", "sz", "t", "w", "z", "j"],
    vowels: &["a", "e", "i", "o", "u", "y", "ie"],
    codas: &["", "", "", "r", "l", "n", "s"],
    endings_male: &[Name("ski", "ski"), Name("cki", "cki"), Name("wicz", "wicz"), Name("czyk", "czyk"),
        Name("ak", "ak"), Name("ek", "ek"), Name("owski", "owski"), Name("iński", "inski")],
    endings_female: &[Name("ska", "ska"), Name("cka", "cka"), Name("wicz", "wicz"), Name("czyk", "czyk"),
        Name("ak", "ak"), Name("ek", "ek"), Name("owska", "owska"), Name("ińska", "inska")],
    script: Script::Latin,
};
#[rustfmt::skip]
const TR: Syllables = Syllables {
    onsets: &["b", "c", "d", "g", "k", "t", "s", "y", "m", "n", "ç", "ş", "z", "h", "er", "ak", "ka"],
    vowels: &["a", "e", "i", "o", "u", "ü", "ö", "ı"],
    codas: &["", "", "n", "r", "l", "k", "y"],
    endings_male: &[Name("oğlu", "oglu"), Name("er", "er"), Name("kaya", "kaya"), Name("demir", "demir"),
        Name("han", "han"), Name("tepe", "tepe"), Name("taş", "tas"), Name("can", "can"), Name("soy", "soy")],
    endings_female: &[],
    script: Script::Latin,
};
#[rustfmt::skip]
const RO: Syllables = Syllables {
    onsets: &["b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "z", "ch", "st", "gr"],
    vowels: &["a", "e", "i", "o", "u", "ă", "ea"],
    codas: &["", "", "", "r", "l", "n"],
    endings_male: &[Name("escu", "escu"), Name("eanu", "eanu"), Name("aru", "aru"), Name("ache", "ache"),
        Name("oiu", "oiu"), Name("ea", "ea"), Name("ică", "ica"), Name("ulescu", "ulescu")],
    endings_female: &[],
    script: Script::Latin,
};
#[rustfmt::skip]
const ID: Syllables = Syllables {
    onsets: &["b", "d", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "w", "y", "s", "pr", "sw"],
    vowels: &["a", "e", "i", "o", "u"],
    codas: &["", "", "", "n", "r", "ng", "h"],
    endings_male: &[Name("wan", "wan"), Name("to", "to"), Name("no", "no"), Name("di", "di"),
        Name("man", "man"), Name("ya", "ya"), Name("ti", "ti"), Name("jaya", "jaya"), Name("sari", "sari")],
    endings_female: &[],
    script: Script::Latin,
};
#[rustfmt::skip]
const RU: Syllables = Syllables {
    onsets: SIMPLE_ONSETS, vowels: SIMPLE_VOWELS, codas: SIMPLE_CODAS,
    endings_male: &[Name("ов", "ov"), Name("ев", "ev"), Name("ин", "in"), Name("ский", "sky"), Name("енко", "enko")],
    endings_female: &[Name("ова", "ova"), Name("ева", "eva"), Name("ина", "ina"), Name("ская", "skaya"), Name("енко", "enko")],
    script: Script::Cyrillic,
};
#[rustfmt::skip]
const GR: Syllables = Syllables {
    onsets: SIMPLE_ONSETS, vowels: SIMPLE_VOWELS, codas: SIMPLE_CODAS,
    endings_male: &[Name("ίδης", "idis"), Name("όπουλος", "opoulos"), Name("άκης", "akis"), Name("άτος", "atos"), Name("ίου", "iou")],
    endings_female: &[Name("ίδου", "idou"), Name("οπούλου", "opoulou"), Name("άκη", "aki"), Name("άτου", "atou"), Name("ίου", "iou")],
    script: Script::Greek,
};
#[rustfmt::skip]
const KA: Syllables = Syllables {
    onsets: SIMPLE_ONSETS, vowels: SIMPLE_VOWELS, codas: SIMPLE_CODAS,
    endings_male: &[Name("შვილი", "shvili"), Name("ძე", "dze"), Name("ია", "ia"), Name("ანი", "ani"), Name("ური", "uri")],
    endings_female: &[],
    script: Script::Georgian,
};

/// One ASCII letter in another script.
fn render(script: Script, c: char) -> char {
    let (latin, other): (&str, &str) = match script {
        Script::Latin => return c,
        Script::Cyrillic => ("abvgdezijklmnoprstufh", "абвгдезийклмнопрстуфх"),
        Script::Greek => ("abvgdezijklmnoprstufh", "αββγδεζιικλμνοπρστυφχ"),
        Script::Georgian => ("abvgdezijklmnoprstufh", "აბვგდეზიჯკლმნოპრსტუფჰ"),
    };
    latin
        .chars()
        .zip(other.chars())
        .find(|&(l, _)| l == c)
        .map_or(c, |(_, o)| o)
}

/// A surname of syllables: two, or three, then an ending.
fn syllable_surname(rng: &mut Rng, s: &Syllables, female: bool, out: &mut Drawn) {
    let mut root = String::new();
    let count = if rng.u32(..100) < 60 { 2 } else { 3 };
    for i in 0..count {
        root.push_str(s.onsets[rng.usize(..s.onsets.len())]);
        root.push_str(s.vowels[rng.usize(..s.vowels.len())]);
        if i + 1 == count {
            root.push_str(s.codas[rng.usize(..s.codas.len())]);
        }
    }
    let endings = if female && !s.endings_female.is_empty() {
        s.endings_female
    } else {
        s.endings_male
    };
    let ending = &endings[rng.usize(..endings.len())];
    for (i, c) in root.chars().enumerate() {
        let r = render(s.script, c);
        // Georgian has no capitals; the others start with one.
        if i == 0 && !matches!(s.script, Script::Georgian) {
            out.native.extend(r.to_uppercase());
        } else {
            out.native.push(r);
        }
    }
    out.native.push_str(ending.0);
    out.ascii.extend(root.chars().filter_map(ascii_letter));
    out.ascii.push_str(ending.1);
}

/// The ASCII letter a Latin letter is spelled with in an e-mail address.
fn ascii_letter(c: char) -> Option<char> {
    Some(match c {
        'a'..='z' => c,
        'é' => 'e',
        'ü' => 'u',
        'ö' => 'o',
        'ı' => 'i',
        'ç' => 'c',
        'ş' => 's',
        'ă' => 'a',
        _ => return None,
    })
}

#[rustfmt::skip]
const ZH_GIVEN: &[Name] = &[
    Name("伟", "wei"), Name("芳", "fang"), Name("娜", "na"), Name("敏", "min"), Name("静", "jing"),
    Name("丽", "li"), Name("强", "qiang"), Name("磊", "lei"), Name("军", "jun"), Name("洋", "yang"),
    Name("勇", "yong"), Name("艳", "yan"), Name("杰", "jie"), Name("娟", "juan"), Name("涛", "tao"),
    Name("明", "ming"), Name("超", "chao"), Name("秀", "xiu"), Name("霞", "xia"), Name("平", "ping"),
    Name("刚", "gang"), Name("桂", "gui"), Name("华", "hua"), Name("建", "jian"), Name("国", "guo"),
    Name("文", "wen"), Name("志", "zhi"), Name("玉", "yu"), Name("红", "hong"), Name("海", "hai"),
    Name("小", "xiao"), Name("晓", "xiao"), Name("子", "zi"), Name("思", "si"), Name("雨", "yu"),
    Name("欣", "xin"), Name("宇", "yu"), Name("浩", "hao"), Name("博", "bo"), Name("睿", "rui"),
    Name("嘉", "jia"), Name("梓", "zi"), Name("俊", "jun"), Name("慧", "hui"), Name("婷", "ting"),
    Name("鹏", "peng"), Name("辉", "hui"), Name("斌", "bin"), Name("琳", "lin"), Name("冰", "bing"),
    Name("安", "an"), Name("北", "bei"), Name("晨", "chen"), Name("丹", "dan"), Name("东", "dong"),
    Name("飞", "fei"), Name("光", "guang"), Name("航", "hang"), Name("佳", "jia"), Name("凯", "kai"),
    Name("兰", "lan"), Name("龙", "long"), Name("梅", "mei"), Name("宁", "ning"), Name("鸥", "ou"),
    Name("琪", "qi"), Name("然", "ran"), Name("荣", "rong"), Name("帅", "shuai"), Name("天", "tian"),
    Name("伦", "lun"), Name("翔", "xiang"), Name("阳", "yang"), Name("云", "yun"), Name("泽", "ze"),
    Name("振", "zhen"), Name("卓", "zhuo"), Name("峰", "feng"), Name("昊", "hao"), Name("颖", "ying"),
];
#[rustfmt::skip]
const ZH_FAMILY: &[Name] = &[
    Name("王", "wang"), Name("李", "li"), Name("张", "zhang"), Name("刘", "liu"), Name("陈", "chen"),
    Name("杨", "yang"), Name("黄", "huang"), Name("赵", "zhao"), Name("吴", "wu"), Name("周", "zhou"),
    Name("徐", "xu"), Name("孙", "sun"), Name("马", "ma"), Name("朱", "zhu"), Name("胡", "hu"),
    Name("郭", "guo"), Name("何", "he"), Name("高", "gao"), Name("林", "lin"), Name("罗", "luo"),
    Name("郑", "zheng"), Name("梁", "liang"), Name("谢", "xie"), Name("宋", "song"), Name("唐", "tang"),
    Name("许", "xu"), Name("韩", "han"), Name("冯", "feng"), Name("邓", "deng"), Name("曹", "cao"),
    Name("欧阳", "ouyang"),
];
#[rustfmt::skip]
const KO_SYLLABLES: &[Name] = &[
    Name("민", "min"), Name("준", "jun"), Name("서", "seo"), Name("연", "yeon"), Name("지", "ji"),
    Name("현", "hyun"), Name("우", "woo"), Name("수", "su"), Name("영", "young"), Name("은", "eun"),
    Name("하", "ha"), Name("윤", "yoon"), Name("도", "do"), Name("진", "jin"), Name("예", "ye"),
    Name("성", "sung"), Name("재", "jae"), Name("원", "won"), Name("혜", "hye"), Name("주", "ju"),
    Name("경", "kyung"), Name("태", "tae"), Name("희", "hee"), Name("동", "dong"), Name("상", "sang"),
    Name("승", "seung"), Name("나", "na"), Name("유", "yu"), Name("아", "a"), Name("호", "ho"),
    Name("석", "seok"), Name("훈", "hoon"), Name("정", "jung"), Name("미", "mi"), Name("소", "so"),
    Name("시", "si"), Name("채", "chae"), Name("다", "da"), Name("혁", "hyuk"), Name("빈", "bin"),
    Name("규", "kyu"), Name("기", "ki"), Name("남", "nam"), Name("대", "dae"), Name("라", "ra"),
    Name("린", "rin"), Name("명", "myung"), Name("보", "bo"), Name("선", "sun"), Name("세", "se"),
    Name("솔", "sol"), Name("인", "in"), Name("용", "yong"), Name("일", "il"), Name("찬", "chan"),
    Name("철", "chul"), Name("한", "han"), Name("환", "hwan"), Name("효", "hyo"), Name("율", "yul"),
];
#[rustfmt::skip]
const KO_FAMILY: &[Name] = &[
    Name("김", "kim"), Name("이", "lee"), Name("박", "park"), Name("최", "choi"), Name("정", "jung"),
    Name("강", "kang"), Name("조", "cho"), Name("윤", "yoon"), Name("한", "han"), Name("오", "oh"),
    Name("서", "seo"), Name("신", "shin"), Name("권", "kwon"), Name("황", "hwang"), Name("안", "ahn"),
    Name("송", "song"), Name("류", "ryu"), Name("홍", "hong"), Name("전", "jeon"), Name("고", "ko"),
];
#[rustfmt::skip]
const JA_FAMILY_HEAD: &[Name] = &[
    Name("山", "yama"), Name("田", "ta"), Name("中", "naka"), Name("小", "ko"), Name("大", "o"),
    Name("高", "taka"), Name("松", "matsu"), Name("石", "ishi"), Name("森", "mori"), Name("池", "ike"),
    Name("川", "kawa"), Name("木", "ki"), Name("村", "mura"), Name("野", "no"), Name("藤", "fuji"),
    Name("吉", "yoshi"), Name("岡", "oka"), Name("上", "ue"), Name("西", "nishi"), Name("北", "kita"),
];
#[rustfmt::skip]
const JA_FAMILY_TAIL: &[Name] = &[
    Name("田", "da"), Name("本", "moto"), Name("中", "naka"), Name("川", "kawa"), Name("村", "mura"),
    Name("野", "no"), Name("口", "guchi"), Name("島", "shima"), Name("崎", "saki"), Name("原", "hara"),
    Name("井", "i"), Name("山", "yama"), Name("木", "ki"), Name("沢", "sawa"), Name("谷", "tani"),
];
#[rustfmt::skip]
const JA_GIVEN_HEAD: &[Name] = &[
    Name("大", "dai"), Name("健", "ken"), Name("翔", "sho"), Name("陽", "haru"), Name("悠", "yu"),
    Name("拓", "taku"), Name("浩", "hiro"), Name("直", "nao"), Name("和", "kazu"), Name("真", "ma"),
    Name("優", "yu"), Name("美", "mi"), Name("愛", "ai"), Name("結", "yu"), Name("花", "hana"),
    Name("千", "chi"), Name("由", "yu"), Name("恵", "megu"), Name("明", "aki"), Name("友", "tomo"),
];
#[rustfmt::skip]
const JA_GIVEN_TAIL_MALE: &[Name] = &[
    Name("太", "ta"), Name("斗", "to"), Name("介", "suke"), Name("人", "to"), Name("也", "ya"),
    Name("樹", "ki"), Name("輝", "ki"), Name("郎", "ro"), Name("平", "hei"), Name("司", "shi"),
];
#[rustfmt::skip]
const JA_GIVEN_TAIL_FEMALE: &[Name] = &[
    Name("子", "ko"), Name("美", "mi"), Name("奈", "na"), Name("香", "ka"), Name("菜", "na"),
    Name("花", "ka"), Name("衣", "i"), Name("恵", "e"), Name("里", "ri"), Name("乃", "no"),
];
#[rustfmt::skip]
const AR_MALE: &[Name] = &[
    Name("محمد", "mohamed"), Name("أحمد", "ahmed"), Name("محمود", "mahmoud"), Name("مصطفى", "mostafa"),
    Name("علي", "ali"), Name("حسن", "hassan"), Name("حسين", "hussein"), Name("إبراهيم", "ibrahim"),
    Name("يوسف", "youssef"), Name("عمر", "omar"), Name("خالد", "khaled"), Name("طارق", "tarek"),
    Name("سمير", "samir"), Name("عادل", "adel"), Name("كريم", "karim"), Name("مجدي", "magdy"),
    Name("هشام", "hesham"), Name("وليد", "walid"), Name("سعيد", "said"), Name("ياسر", "yasser"),
    Name("أشرف", "ashraf"), Name("جمال", "gamal"), Name("نبيل", "nabil"), Name("رامي", "ramy"),
    Name("شريف", "sherif"), Name("عمرو", "amr"), Name("فتحي", "fathy"), Name("صلاح", "salah"),
    Name("منير", "mounir"), Name("رضا", "reda"),
];
#[rustfmt::skip]
const AR_FEMALE: &[Name] = &[
    Name("فاطمة", "fatma"), Name("مريم", "mariam"), Name("نور", "nour"), Name("هبة", "heba"),
    Name("سارة", "sara"), Name("منى", "mona"), Name("ياسمين", "yasmin"), Name("دينا", "dina"),
    Name("رانيا", "rania"), Name("إيمان", "iman"), Name("أمل", "amal"), Name("هدى", "hoda"),
    Name("سلمى", "salma"), Name("نادية", "nadia"), Name("ليلى", "laila"), Name("شيماء", "shaimaa"),
];
#[rustfmt::skip]
const HI_GIVEN_MALE: &[Name] = &[
    Name("राहुल", "rahul"), Name("अमित", "amit"), Name("सुरेश", "suresh"), Name("राजेश", "rajesh"),
    Name("विजय", "vijay"), Name("अनिल", "anil"), Name("सुनील", "sunil"), Name("संजय", "sanjay"),
    Name("दीपक", "deepak"), Name("मनोज", "manoj"), Name("अजय", "ajay"), Name("रवि", "ravi"),
    Name("अशोक", "ashok"), Name("विकास", "vikas"), Name("आकाश", "akash"), Name("रोहित", "rohit"),
    Name("नितिन", "nitin"), Name("गौरव", "gaurav"), Name("प्रकाश", "prakash"), Name("महेश", "mahesh"),
];
#[rustfmt::skip]
const HI_GIVEN_FEMALE: &[Name] = &[
    Name("प्रिया", "priya"), Name("अंजलि", "anjali"), Name("सुनीता", "sunita"), Name("पूजा", "pooja"),
    Name("नेहा", "neha"), Name("कविता", "kavita"), Name("रेखा", "rekha"), Name("आरती", "aarti"),
    Name("मीना", "meena"), Name("सीमा", "seema"), Name("ज्योति", "jyoti"), Name("ममता", "mamta"),
    Name("स्वाति", "swati"), Name("दिव्या", "divya"), Name("रीता", "rita"), Name("गीता", "geeta"),
    Name("शालिनी", "shalini"), Name("अनीता", "anita"), Name("लता", "lata"), Name("उषा", "usha"),
];
#[rustfmt::skip]
const HI_FAMILY: &[Name] = &[
    Name("शर्मा", "sharma"), Name("वर्मा", "verma"), Name("गुप्ता", "gupta"), Name("सिंह", "singh"),
    Name("पटेल", "patel"), Name("यादव", "yadav"), Name("जोशी", "joshi"), Name("मिश्रा", "mishra"),
    Name("कुमार", "kumar"), Name("अग्रवाल", "agarwal"), Name("चौहान", "chauhan"), Name("मेहता", "mehta"),
    Name("शाह", "shah"), Name("देसाई", "desai"), Name("नायर", "nair"), Name("रेड्डी", "reddy"),
    Name("राव", "rao"), Name("पांडे", "pandey"), Name("तिवारी", "tiwari"), Name("दुबे", "dubey"),
    Name("सक्सेना", "saxena"), Name("बंसल", "bansal"), Name("कपूर", "kapoor"), Name("मल्होत्रा", "malhotra"),
    Name("भट्ट", "bhatt"), Name("त्रिपाठी", "tripathi"), Name("चतुर्वेदी", "chaturvedi"), Name("ठाकुर", "thakur"),
    Name("सेन", "sen"), Name("घोष", "ghosh"),
];
#[rustfmt::skip]
const VI_GIVEN: &[Name] = &[
    Name("Anh", "anh"), Name("Minh", "minh"), Name("Hương", "huong"), Name("Lan", "lan"), Name("Hùng", "hung"),
    Name("Dũng", "dung"), Name("Thảo", "thao"), Name("Trang", "trang"), Name("Tuấn", "tuan"), Name("Hải", "hai"),
    Name("Linh", "linh"), Name("Phương", "phuong"), Name("Quang", "quang"), Name("Thanh", "thanh"), Name("Hà", "ha"),
    Name("Nam", "nam"), Name("Long", "long"), Name("Mai", "mai"), Name("Hoa", "hoa"), Name("Khánh", "khanh"),
    Name("Bảo", "bao"), Name("Ngọc", "ngoc"), Name("Thu", "thu"), Name("Huy", "huy"), Name("Sơn", "son"),
    Name("Trung", "trung"), Name("Vân", "van"), Name("Yến", "yen"), Name("Phúc", "phuc"), Name("Tâm", "tam"),
    Name("Đạt", "dat"), Name("Hiếu", "hieu"), Name("Nhung", "nhung"), Name("Thắng", "thang"), Name("Tú", "tu"),
    Name("Việt", "viet"), Name("Xuân", "xuan"), Name("Kiên", "kien"), Name("Loan", "loan"), Name("Hạnh", "hanh"),
];
#[rustfmt::skip]
const VI_FAMILY: &[Name] = &[
    Name("Nguyễn", "nguyen"), Name("Trần", "tran"), Name("Lê", "le"), Name("Phạm", "pham"),
    Name("Hoàng", "hoang"), Name("Huỳnh", "huynh"), Name("Võ", "vo"), Name("Đặng", "dang"),
    Name("Bùi", "bui"), Name("Đỗ", "do"), Name("Hồ", "ho"), Name("Ngô", "ngo"), Name("Dương", "duong"),
    Name("Lý", "ly"), Name("Phan", "phan"),
];

fn any<'a>(rng: &mut Rng, from: &'a [Name]) -> &'a Name {
    &from[rng.usize(..from.len())]
}

/// Draws a client's first and last name for `locale`. `base_first` and
/// `base_last` are the names the sample pools gave; names of a country
/// without its own rule here keep them.
pub(crate) fn draw(
    rng: &mut Rng,
    locale: &Locale,
    female: bool,
    base_first: &Name,
    base_last: &Name,
    first: &mut Drawn,
    last: &mut Drawn,
) {
    first.clear();
    last.clear();
    let syllables = match locale.country {
        "Germany" => Some(&DE),
        "France" => Some(&FR),
        "Spain" => Some(&ES),
        "Portugal" => Some(&PT),
        "Poland" => Some(&PL),
        "Türkiye" => Some(&TR),
        "Russia" => Some(&RU),
        "Greece" => Some(&GR),
        "Georgia" => Some(&KA),
        "Romania" => Some(&RO),
        "Indonesia" => Some(&ID),
        _ => None,
    };
    if let Some(s) = syllables {
        first.push(base_first);
        syllable_surname(rng, s, female, last);
        return;
    }
    match locale.country {
        "China" => {
            first.push(any(rng, ZH_GIVEN));
            if rng.u32(..10) < 8 {
                first.push(any(rng, ZH_GIVEN));
            }
            last.push(any(rng, ZH_FAMILY));
        }
        "South Korea" => {
            first.push(any(rng, KO_SYLLABLES));
            first.push(any(rng, KO_SYLLABLES));
            last.push(any(rng, KO_FAMILY));
        }
        "Japan" => {
            first.push(any(rng, JA_GIVEN_HEAD));
            first.push(any(
                rng,
                if female {
                    JA_GIVEN_TAIL_FEMALE
                } else {
                    JA_GIVEN_TAIL_MALE
                },
            ));
            last.push(any(rng, JA_FAMILY_HEAD));
            last.push(any(rng, JA_FAMILY_TAIL));
        }
        "Egypt" => {
            // Given name, then the father's and the grandfather's.
            first.push(any(rng, if female { AR_FEMALE } else { AR_MALE }));
            last.push_word(any(rng, AR_MALE));
            last.push_word(any(rng, AR_MALE));
            last.push_word(base_last);
        }
        "India" => {
            let given = if female {
                HI_GIVEN_FEMALE
            } else {
                HI_GIVEN_MALE
            };
            // Two given names, then the father's name and the family's.
            first.push_word(any(rng, given));
            first.push_word(any(rng, given));
            last.push_word(any(rng, HI_GIVEN_MALE));
            last.push_word(any(rng, HI_FAMILY));
        }
        "Vietnam" => {
            first.push_word(any(rng, VI_GIVEN));
            first.push_word(any(rng, VI_GIVEN));
            if rng.u32(..10) < 7 {
                first.push_word(any(rng, VI_GIVEN));
            }
            last.push(any(rng, VI_FAMILY));
        }
        _ => {
            first.push(base_first);
            last.push(base_last);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::gen::locales::LOCALES;

    #[test]
    fn names_are_in_their_script_and_ascii_spellings_are_mail_safe() {
        let mut rng = Rng::with_seed(3);
        let (mut first, mut last) = (Drawn::default(), Drawn::default());
        for l in LOCALES {
            for i in 0..200 {
                let female = i % 2 == 0;
                let base_first = if female { &l.female[0] } else { &l.male[0] };
                draw(
                    &mut rng,
                    l,
                    female,
                    base_first,
                    &l.last_male[0],
                    &mut first,
                    &mut last,
                );
                for n in [&first, &last] {
                    assert!(!n.native.trim().is_empty(), "{}", l.country);
                    assert!(
                        !n.ascii.is_empty() && n.ascii.bytes().all(|b| b.is_ascii_lowercase()),
                        "{}: {:?}",
                        l.country,
                        n
                    );
                    assert!(!n.native.contains(';') && !n.native.contains(','));
                }
                let latin_letters = last
                    .native
                    .chars()
                    .filter(char::is_ascii_alphabetic)
                    .count();
                match l.country {
                    "Russia" | "Greece" | "Georgia" => {
                        assert_eq!(latin_letters, 0, "{}: {}", l.country, last.native)
                    }
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn a_large_population_rarely_shares_a_first_and_last_name() {
        let mut rng = Rng::with_seed(11);
        let (mut first, mut last) = (Drawn::default(), Drawn::default());
        let mut seen = HashSet::new();
        let mut repeats = 0;
        let n = 200_000;
        let total: u32 = LOCALES.iter().map(|l| l.weight).sum();
        for i in 0..n {
            let l = crate::gen::locales::pick(rng.u32(..total));
            let female = i % 2 == 0;
            let base_first = if female { &l.female[0] } else { &l.male[0] };
            draw(
                &mut rng,
                l,
                female,
                base_first,
                &l.last_male[0],
                &mut first,
                &mut last,
            );
            let key = (first.native.to_lowercase(), last.native.to_lowercase());
            if !seen.insert(key) {
                repeats += 1;
            }
        }
        // The sample pools repeat a name in nearly every row of this size.
        assert!(repeats * 100 < n * 2, "{repeats} of {n} rows repeat a name");
    }
}
