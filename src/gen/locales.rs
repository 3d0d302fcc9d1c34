//! The people and places the generator draws from: names in their own
//! scripts (with an ASCII spelling for e-mail addresses), cities with their
//! regions and postcode shapes, streets, phone prefixes and mail domains.

/// A name as written natively, and an ASCII spelling of it.
pub(crate) struct Name(pub &'static str, pub &'static str);

/// A city, its region, and the leading digits of its postcodes.
pub(crate) struct City(pub &'static str, pub &'static str, pub &'static str);

/// Everything the generator needs to make one plausible person of a country.
pub(crate) struct Locale {
    /// The legacy system's language code for such a client (always one the
    /// sample mapping knows: Mambu has no German, Polish, … language).
    pub lang: &'static str,
    pub country: &'static str,
    pub dial: &'static str,
    /// Relative share of clients from this locale.
    pub weight: u32,
    /// Index into `org::BRANCHES` of the branch most such clients bank with.
    pub home_branch: usize,
    pub male: &'static [Name],
    pub female: &'static [Name],
    pub middle_male: &'static [&'static str],
    pub middle_female: &'static [&'static str],
    /// Percentage of clients with a middle name (patronymics are common).
    pub middle_rate: u32,
    pub last_male: &'static [Name],
    /// The same list as `last_male` where surnames do not change with gender.
    pub last_female: &'static [Name],
    pub titles_male: &'static [&'static str],
    pub titles_female: &'static [&'static str],
    pub cities: &'static [City],
    pub streets: &'static [&'static str],
    /// How a street line is written: `{s}` the street, `{n}` the number.
    pub street_style: &'static str,
    /// Postcode shape: `#` a digit (the city's prefix first), else literal.
    pub zip: &'static str,
    pub domains: &'static [&'static str],
    /// Who issues identity documents.
    pub authority: &'static str,
}

#[rustfmt::skip]
const DE_LAST: &[Name] = &[
    Name("Müller", "mueller"), Name("Schmidt", "schmidt"), Name("Schneider", "schneider"),
    Name("Fischer", "fischer"), Name("Weber", "weber"), Name("Meyer", "meyer"),
    Name("Schäfer", "schaefer"), Name("Groß", "gross"),
];
#[rustfmt::skip]
const FR_LAST: &[Name] = &[
    Name("Martin", "martin"), Name("Bernard", "bernard"), Name("Dubois", "dubois"),
    Name("Lefèvre", "lefevre"), Name("Moreau", "moreau"), Name("Girard", "girard"),
    Name("Rousseau", "rousseau"), Name("Lambert", "lambert"),
];
#[rustfmt::skip]
const ES_LAST: &[Name] = &[
    Name("García", "garcia"), Name("Fernández", "fernandez"), Name("López", "lopez"),
    Name("Martínez", "martinez"), Name("Sánchez", "sanchez"), Name("Pérez", "perez"),
    Name("de la Cruz", "delacruz"), Name("Muñoz", "munoz"),
];
#[rustfmt::skip]
const PT_LAST: &[Name] = &[
    Name("Silva", "silva"), Name("Santos", "santos"), Name("Ferreira", "ferreira"),
    Name("Pereira", "pereira"), Name("Oliveira", "oliveira"), Name("Gonçalves", "goncalves"),
    Name("Magalhães", "magalhaes"), Name("da Costa", "dacosta"),
];
#[rustfmt::skip]
const TR_LAST: &[Name] = &[
    Name("Yılmaz", "yilmaz"), Name("Kaya", "kaya"), Name("Demir", "demir"), Name("Şahin", "sahin"),
    Name("Çelik", "celik"), Name("Öztürk", "ozturk"), Name("Aydın", "aydin"),
    Name("Arslan", "arslan"),
];
#[rustfmt::skip]
const ZH_LAST: &[Name] = &[
    Name("王", "wang"), Name("李", "li"), Name("张", "zhang"), Name("刘", "liu"), Name("陈", "chen"),
    Name("杨", "yang"), Name("黄", "huang"), Name("欧阳", "ouyang"),
];
#[rustfmt::skip]
const JA_LAST: &[Name] = &[
    Name("佐藤", "sato"), Name("鈴木", "suzuki"), Name("高橋", "takahashi"), Name("田中", "tanaka"),
    Name("渡辺", "watanabe"), Name("伊藤", "ito"), Name("山本", "yamamoto"), Name("中村", "nakamura"),
];
#[rustfmt::skip]
const AR_LAST: &[Name] = &[
    Name("حسن", "hassan"), Name("إبراهيم", "ibrahim"), Name("علي", "ali"),
    Name("محمود", "mahmoud"), Name("عبد الله", "abdallah"), Name("السيد", "elsayed"),
    Name("منصور", "mansour"), Name("فؤاد", "fouad"),
];
#[rustfmt::skip]
const HI_LAST: &[Name] = &[
    Name("शर्मा", "sharma"), Name("वर्मा", "verma"), Name("गुप्ता", "gupta"),
    Name("सिंह", "singh"), Name("पटेल", "patel"), Name("यादव", "yadav"), Name("जोशी", "joshi"),
    Name("मिश्रा", "mishra"),
];
#[rustfmt::skip]
const KO_LAST: &[Name] = &[
    Name("김", "kim"), Name("이", "lee"), Name("박", "park"), Name("최", "choi"), Name("정", "jung"),
    Name("강", "kang"), Name("조", "cho"), Name("윤", "yoon"),
];
#[rustfmt::skip]
const VI_LAST: &[Name] = &[
    Name("Nguyễn", "nguyen"), Name("Trần", "tran"), Name("Lê", "le"), Name("Phạm", "pham"),
    Name("Hoàng", "hoang"), Name("Huỳnh", "huynh"), Name("Võ", "vo"), Name("Đặng", "dang"),
];
#[rustfmt::skip]
const KA_LAST: &[Name] = &[
    Name("ბერიძე", "beridze"), Name("კაპანაძე", "kapanadze"), Name("გელაშვილი", "gelashvili"),
    Name("მაისურაძე", "maisuradze"), Name("ლომიძე", "lomidze"), Name("ჯაფარიძე", "japaridze"),
    Name("ხარაიშვილი", "kharaishvili"), Name("წიკლაური", "tsiklauri"),
];
#[rustfmt::skip]
const RO_LAST: &[Name] = &[
    Name("Popescu", "popescu"), Name("Ionescu", "ionescu"), Name("Popa", "popa"),
    Name("Dumitrescu", "dumitrescu"), Name("Stan", "stan"), Name("Stoica", "stoica"),
    Name("Gheorghiu", "gheorghiu"), Name("Năstase", "nastase"),
];
#[rustfmt::skip]
const ID_LAST: &[Name] = &[
    Name("Santoso", "santoso"), Name("Wijaya", "wijaya"), Name("Kusuma", "kusuma"),
    Name("Hidayat", "hidayat"), Name("Saputra", "saputra"), Name("Pratama", "pratama"),
    Name("Setiawan", "setiawan"), Name("Nugroho", "nugroho"),
];
const NONE: &[&str] = &[];

/// The locales, with branch indexes: 0 Berlin, 1 Lisboa, 2 Madrid,
/// 3 Warszawa, 4 Tbilisi.
#[rustfmt::skip]
pub(crate) static LOCALES: &[Locale] = &[
    Locale {
        lang: "EN", country: "Germany", dial: "+49", weight: 14, home_branch: 0,
        male: &[
            Name("Lukas", "lukas"), Name("Jürgen", "juergen"), Name("Maximilian", "maximilian"),
            Name("Stefan", "stefan"), Name("Klaus", "klaus"), Name("Tobias", "tobias"),
        ],
        female: &[
            Name("Anna", "anna"), Name("Sabine", "sabine"), Name("Sophie", "sophie"),
            Name("Ursula", "ursula"), Name("Katharina", "katharina"), Name("Jördis", "joerdis"),
        ],
        middle_male: &["Johannes", "Peter", "Friedrich"],
        middle_female: &["Maria", "Luise", "Elisabeth"],
        middle_rate: 20,
        last_male: DE_LAST, last_female: DE_LAST,
        titles_male: &["Herr", "Dr."], titles_female: &["Frau", "Dr."],
        cities: &[
            City("Berlin", "Berlin", "10"), City("Hamburg", "Hamburg", "20"),
            City("München", "Bayern", "80"), City("Köln", "Nordrhein-Westfalen", "50"),
        ],
        streets: &[
            "Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Lindenallee",
        ],
        street_style: "{s} {n}", zip: "#####",
        domains: &["web.de", "gmx.de", "t-online.de"],
        authority: "Bürgeramt",
    },
    Locale {
        lang: "FR", country: "France", dial: "+33", weight: 7, home_branch: 0,
        male: &[
            Name("Jean", "jean"), Name("Pierre", "pierre"), Name("Étienne", "etienne"),
            Name("François", "francois"), Name("Lucas", "lucas"), Name("Hugo", "hugo"),
        ],
        female: &[
            Name("Marie", "marie"), Name("Camille", "camille"), Name("Élodie", "elodie"),
            Name("Chloé", "chloe"), Name("Léa", "lea"), Name("Manon", "manon"),
        ],
        middle_male: &["Louis", "Philippe"], middle_female: &["Claire", "Anne"], middle_rate: 15,
        last_male: FR_LAST, last_female: FR_LAST,
        titles_male: &["M."], titles_female: &["Mme", "Mlle"],
        cities: &[
            City("Paris", "Île-de-France", "75"), City("Lyon", "Auvergne-Rhône-Alpes", "69"),
            City("Marseille", "Provence-Alpes-Côte d'Azur", "13"),
            City("Toulouse", "Occitanie", "31"),
        ],
        streets: &[
            "rue de la Paix", "avenue Victor Hugo", "boulevard Saint-Germain", "rue des Écoles",
        ],
        street_style: "{n} {s}", zip: "#####",
        domains: &["orange.fr", "free.fr", "laposte.net"],
        authority: "Préfecture",
    },
    Locale {
        lang: "ES", country: "Spain", dial: "+34", weight: 7, home_branch: 2,
        male: &[
            Name("José", "jose"), Name("Javier", "javier"), Name("Alejandro", "alejandro"),
            Name("Manuel", "manuel"), Name("Álvaro", "alvaro"), Name("Sergio", "sergio"),
        ],
        female: &[
            Name("María", "maria"), Name("Lucía", "lucia"), Name("Carmen", "carmen"),
            Name("Begoña", "begona"), Name("Nuria", "nuria"), Name("Inés", "ines"),
        ],
        middle_male: &["Antonio", "Luis"], middle_female: &["Isabel", "Pilar"], middle_rate: 25,
        last_male: ES_LAST, last_female: ES_LAST,
        titles_male: &["Sr."], titles_female: &["Sra."],
        cities: &[
            City("Madrid", "Comunidad de Madrid", "28"), City("Barcelona", "Cataluña", "08"),
            City("Sevilla", "Andalucía", "41"), City("Valencia", "Comunidad Valenciana", "46"),
        ],
        streets: &[
            "Calle Mayor", "Avenida de la Constitución", "Calle de Alcalá", "Paseo de Gracia",
        ],
        street_style: "{s}, {n}", zip: "#####",
        domains: &["gmail.com", "hotmail.es", "telefonica.net"],
        authority: "Dirección General de la Policía",
    },
    Locale {
        lang: "PT", country: "Portugal", dial: "+351", weight: 8, home_branch: 1,
        male: &[
            Name("João", "joao"), Name("Tiago", "tiago"), Name("Rui", "rui"),
            Name("Gonçalo", "goncalo"), Name("Afonso", "afonso"), Name("Duarte", "duarte"),
        ],
        female: &[
            Name("Inês", "ines"), Name("Beatriz", "beatriz"), Name("Leonor", "leonor"),
            Name("Margarida", "margarida"), Name("Conceição", "conceicao"), Name("Joana", "joana"),
        ],
        middle_male: &["Manuel", "Miguel"], middle_female: &["Maria", "Sofia"], middle_rate: 35,
        last_male: PT_LAST, last_female: PT_LAST,
        titles_male: &["Sr."], titles_female: &["Sra.", "D."],
        cities: &[
            City("Lisboa", "Lisboa", "1100"), City("Porto", "Porto", "4000"),
            City("Braga", "Braga", "4700"), City("Coimbra", "Coimbra", "3000"),
        ],
        streets: &[
            "Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina", "Travessa do Carmo",
        ],
        street_style: "{s} {n}", zip: "####-###",
        domains: &["sapo.pt", "gmail.com"],
        authority: "Instituto dos Registos e do Notariado",
    },
    Locale {
        lang: "EN", country: "Poland", dial: "+48", weight: 8, home_branch: 3,
        male: &[
            Name("Łukasz", "lukasz"), Name("Piotr", "piotr"), Name("Krzysztof", "krzysztof"),
            Name("Michał", "michal"), Name("Paweł", "pawel"), Name("Grzegorz", "grzegorz"),
        ],
        female: &[
            Name("Małgorzata", "malgorzata"), Name("Agnieszka", "agnieszka"),
            Name("Katarzyna", "katarzyna"), Name("Żaneta", "zaneta"), Name("Joanna", "joanna"),
            Name("Łucja", "lucja"),
        ],
        middle_male: &["Jan", "Józef"], middle_female: &["Maria", "Anna"], middle_rate: 20,
        last_male: &[
            Name("Nowak", "nowak"), Name("Kowalski", "kowalski"), Name("Wiśniewski", "wisniewski"),
            Name("Wójcik", "wojcik"), Name("Łukasik", "lukasik"), Name("Żak", "zak"),
            Name("Kamiński", "kaminski"), Name("Zieliński", "zielinski"),
        ],
        last_female: &[
            Name("Nowak", "nowak"), Name("Kowalska", "kowalska"), Name("Wiśniewska", "wisniewska"),
            Name("Wójcik", "wojcik"), Name("Łukasik", "lukasik"), Name("Żak", "zak"),
            Name("Kamińska", "kaminska"), Name("Zielińska", "zielinska"),
        ],
        titles_male: &["Pan"], titles_female: &["Pani"],
        cities: &[
            City("Warszawa", "mazowieckie", "00"), City("Kraków", "małopolskie", "30"),
            City("Łódź", "łódzkie", "90"), City("Gdańsk", "pomorskie", "80"),
        ],
        streets: &[
            "ul. Marszałkowska", "ul. Długa", "ul. Żelazna", "al. Jerozolimskie",
        ],
        street_style: "{s} {n}", zip: "##-###",
        domains: &["wp.pl", "onet.pl", "interia.pl"],
        authority: "Prezydent Miasta",
    },
    Locale {
        lang: "EN", country: "Türkiye", dial: "+90", weight: 6, home_branch: 0,
        male: &[
            Name("Mehmet", "mehmet"), Name("Mustafa", "mustafa"), Name("Ahmet", "ahmet"),
            Name("Emre", "emre"), Name("Burak", "burak"), Name("Oğuz", "oguz"),
        ],
        female: &[
            Name("Ayşe", "ayse"), Name("Fatma", "fatma"), Name("Zeynep", "zeynep"),
            Name("Elif", "elif"), Name("Gülşen", "gulsen"), Name("İrem", "irem"),
        ],
        middle_male: &["Ali", "Can"], middle_female: &["Nur"], middle_rate: 10,
        last_male: TR_LAST, last_female: TR_LAST,
        titles_male: &["Bay"], titles_female: &["Bayan"],
        cities: &[
            City("İstanbul", "İstanbul", "34"), City("Ankara", "Ankara", "06"),
            City("İzmir", "İzmir", "35"), City("Bursa", "Bursa", "16"),
        ],
        streets: &[
            "İstiklal Caddesi", "Atatürk Bulvarı", "Bağdat Caddesi", "Cumhuriyet Sokak",
        ],
        street_style: "{s} No: {n}", zip: "#####",
        domains: &["gmail.com", "hotmail.com.tr", "yandex.com.tr"],
        authority: "Nüfus ve Vatandaşlık İşleri",
    },
    Locale {
        lang: "RU", country: "Russia", dial: "+7", weight: 6, home_branch: 4,
        male: &[
            Name("Алексей", "aleksey"), Name("Дмитрий", "dmitry"), Name("Сергей", "sergey"),
            Name("Иван", "ivan"), Name("Михаил", "mikhail"), Name("Андрей", "andrey"),
        ],
        female: &[
            Name("Анна", "anna"), Name("Екатерина", "ekaterina"), Name("Ольга", "olga"),
            Name("Наталья", "natalya"), Name("Татьяна", "tatyana"), Name("Юлия", "yulia"),
        ],
        middle_male: &["Иванович", "Сергеевич", "Петрович", "Александрович"],
        middle_female: &["Ивановна", "Сергеевна", "Петровна", "Александровна"],
        middle_rate: 80,
        last_male: &[
            Name("Иванов", "ivanov"), Name("Смирнов", "smirnov"), Name("Кузнецов", "kuznetsov"),
            Name("Попов", "popov"), Name("Соколов", "sokolov"), Name("Лебедев", "lebedev"),
            Name("Новиков", "novikov"), Name("Шевченко", "shevchenko"),
        ],
        last_female: &[
            Name("Иванова", "ivanova"), Name("Смирнова", "smirnova"),
            Name("Кузнецова", "kuznetsova"), Name("Попова", "popova"),
            Name("Соколова", "sokolova"), Name("Лебедева", "lebedeva"),
            Name("Новикова", "novikova"), Name("Шевченко", "shevchenko"),
        ],
        titles_male: NONE, titles_female: NONE,
        cities: &[
            City("Москва", "Москва", "101"), City("Санкт-Петербург", "Санкт-Петербург", "190"),
            City("Новосибирск", "Новосибирская область", "630"),
            City("Казань", "Республика Татарстан", "420"),
        ],
        streets: &[
            "ул. Тверская", "Невский проспект", "ул. Ленина", "ул. Пушкина",
        ],
        street_style: "{s}, д. {n}", zip: "######",
        domains: &["yandex.ru", "mail.ru", "rambler.ru"],
        authority: "МВД России",
    },
    Locale {
        lang: "EN", country: "Greece", dial: "+30", weight: 4, home_branch: 0,
        male: &[
            Name("Γιώργος", "giorgos"), Name("Δημήτρης", "dimitris"),
            Name("Κωνσταντίνος", "konstantinos"), Name("Νίκος", "nikos"),
            Name("Γιάννης", "giannis"), Name("Παναγιώτης", "panagiotis"),
        ],
        female: &[
            Name("Μαρία", "maria"), Name("Ελένη", "eleni"), Name("Αικατερίνη", "aikaterini"),
            Name("Βασιλική", "vasiliki"), Name("Σοφία", "sofia"), Name("Δέσποινα", "despoina"),
        ],
        middle_male: NONE, middle_female: NONE, middle_rate: 0,
        last_male: &[
            Name("Παπαδόπουλος", "papadopoulos"), Name("Παπαδάκης", "papadakis"),
            Name("Γεωργίου", "georgiou"), Name("Οικονόμου", "oikonomou"),
            Name("Αντωνίου", "antoniou"), Name("Νικολάου", "nikolaou"), Name("Βλάχος", "vlachos"),
            Name("Καραγιάννης", "karagiannis"),
        ],
        last_female: &[
            Name("Παπαδοπούλου", "papadopoulou"), Name("Παπαδάκη", "papadaki"),
            Name("Γεωργίου", "georgiou"), Name("Οικονόμου", "oikonomou"),
            Name("Αντωνίου", "antoniou"), Name("Νικολάου", "nikolaou"), Name("Βλάχου", "vlachou"),
            Name("Καραγιάννη", "karagianni"),
        ],
        titles_male: &["κ."], titles_female: &["κα"],
        cities: &[
            City("Αθήνα", "Αττική", "10"), City("Θεσσαλονίκη", "Κεντρική Μακεδονία", "54"),
            City("Πάτρα", "Δυτική Ελλάδα", "26"), City("Ηράκλειο", "Κρήτη", "71"),
        ],
        streets: &[
            "Οδός Ερμού", "Λεωφόρος Βασιλίσσης Σοφίας", "Οδός Αιόλου", "Οδός Τσιμισκή",
        ],
        street_style: "{s} {n}", zip: "### ##",
        domains: &["gmail.com", "otenet.gr", "yahoo.gr"],
        authority: "Ελληνική Αστυνομία",
    },
    Locale {
        lang: "ZH", country: "China", dial: "+86", weight: 5, home_branch: 0,
        male: &[
            Name("伟", "wei"), Name("强", "qiang"), Name("磊", "lei"), Name("俊杰", "junjie"),
            Name("志明", "zhiming"), Name("浩然", "haoran"),
        ],
        female: &[
            Name("芳", "fang"), Name("秀英", "xiuying"), Name("静", "jing"), Name("丽娟", "lijuan"),
            Name("雪梅", "xuemei"), Name("欣怡", "xinyi"),
        ],
        middle_male: NONE, middle_female: NONE, middle_rate: 0,
        last_male: ZH_LAST, last_female: ZH_LAST,
        titles_male: NONE, titles_female: NONE,
        cities: &[
            City("北京", "北京市", "100"), City("上海", "上海市", "200"), City("广州", "广东省", "510"),
            City("成都", "四川省", "610"),
        ],
        streets: &["长安街", "南京路", "中山路", "人民路"],
        street_style: "{s}{n}号", zip: "######",
        domains: &["qq.com", "163.com", "126.com"],
        authority: "公安局",
    },
    Locale {
        lang: "EN", country: "Japan", dial: "+81", weight: 3, home_branch: 0,
        male: &[
            Name("翔太", "shota"), Name("大輔", "daisuke"), Name("健一", "kenichi"),
            Name("拓也", "takuya"), Name("蓮", "ren"), Name("悠真", "yuma"),
        ],
        female: &[
            Name("陽子", "yoko"), Name("さくら", "sakura"), Name("美咲", "misaki"), Name("由美", "yumi"),
            Name("結衣", "yui"), Name("葵", "aoi"),
        ],
        middle_male: NONE, middle_female: NONE, middle_rate: 0,
        last_male: JA_LAST, last_female: JA_LAST,
        titles_male: NONE, titles_female: NONE,
        cities: &[
            City("東京", "東京都", "100"), City("大阪", "大阪府", "530"), City("横浜", "神奈川県", "220"),
            City("札幌", "北海道", "060"),
        ],
        streets: &["銀座", "梅田", "元町", "大通西"],
        street_style: "{s}{n}丁目", zip: "###-####",
        domains: &["docomo.ne.jp", "yahoo.co.jp", "gmail.com"],
        authority: "外務省",
    },
    Locale {
        lang: "EN", country: "Egypt", dial: "+20", weight: 4, home_branch: 0,
        male: &[
            Name("محمد", "mohamed"), Name("أحمد", "ahmed"), Name("عمر", "omar"),
            Name("يوسف", "youssef"), Name("خالد", "khaled"), Name("مصطفى", "mostafa"),
        ],
        female: &[
            Name("فاطمة", "fatma"), Name("مريم", "mariam"), Name("نور", "nour"),
            Name("سارة", "sara"), Name("ياسمين", "yasmin"), Name("هدى", "hoda"),
        ],
        middle_male: &["عبد الرحمن", "محمود"], middle_female: &["أحمد", "علي"], middle_rate: 30,
        last_male: AR_LAST, last_female: AR_LAST,
        titles_male: &["السيد"], titles_female: &["السيدة"],
        cities: &[
            City("القاهرة", "محافظة القاهرة", "11"), City("الإسكندرية", "محافظة الإسكندرية", "21"),
            City("الجيزة", "محافظة الجيزة", "12"), City("أسوان", "محافظة أسوان", "81"),
        ],
        streets: &["شارع التحرير", "شارع الهرم", "شارع النيل", "طريق الكورنيش"],
        street_style: "{n} {s}", zip: "#####",
        domains: &["gmail.com", "yahoo.com", "hotmail.com"],
        authority: "مصلحة الأحوال المدنية",
    },
    Locale {
        lang: "EN", country: "India", dial: "+91", weight: 4, home_branch: 0,
        male: &[
            Name("राहुल", "rahul"), Name("अमित", "amit"), Name("विजय", "vijay"),
            Name("अर्जुन", "arjun"), Name("संजय", "sanjay"), Name("रोहन", "rohan"),
        ],
        female: &[
            Name("प्रिया", "priya"), Name("अनीता", "anita"), Name("सुनीता", "sunita"),
            Name("पूजा", "pooja"), Name("नेहा", "neha"), Name("कविता", "kavita"),
        ],
        middle_male: &["कुमार", "प्रसाद"], middle_female: &["देवी", "कुमारी"], middle_rate: 30,
        last_male: HI_LAST, last_female: HI_LAST,
        titles_male: &["श्री"], titles_female: &["श्रीमती"],
        cities: &[
            City("नई दिल्ली", "दिल्ली", "110"), City("मुंबई", "महाराष्ट्र", "400"),
            City("जयपुर", "राजस्थान", "302"), City("लखनऊ", "उत्तर प्रदेश", "226"),
        ],
        streets: &["महात्मा गांधी मार्ग", "नेहरू रोड", "स्टेशन रोड", "चांदनी चौक"],
        street_style: "{n}, {s}", zip: "######",
        domains: &["gmail.com", "rediffmail.com", "yahoo.co.in"],
        authority: "Ministry of External Affairs",
    },
    Locale {
        lang: "EN", country: "South Korea", dial: "+82", weight: 3, home_branch: 0,
        male: &[
            Name("민준", "minjun"), Name("서준", "seojun"), Name("지훈", "jihun"), Name("현우", "hyunwoo"),
            Name("도윤", "doyun"), Name("성민", "sungmin"),
        ],
        female: &[
            Name("서연", "seoyeon"), Name("지민", "jimin"), Name("수빈", "subin"), Name("하은", "haeun"),
            Name("민지", "minji"), Name("예진", "yejin"),
        ],
        middle_male: NONE, middle_female: NONE, middle_rate: 0,
        last_male: KO_LAST, last_female: KO_LAST,
        titles_male: NONE, titles_female: NONE,
        cities: &[
            City("서울", "서울특별시", "04"), City("부산", "부산광역시", "48"), City("인천", "인천광역시", "21"),
            City("대구", "대구광역시", "41"),
        ],
        streets: &["세종대로", "테헤란로", "해운대로", "중앙로"],
        street_style: "{s} {n}", zip: "#####",
        domains: &["naver.com", "daum.net", "kakao.com"],
        authority: "외교부",
    },
    Locale {
        lang: "EN", country: "Vietnam", dial: "+84", weight: 4, home_branch: 0,
        male: &[
            Name("Minh", "minh"), Name("Tuấn", "tuan"), Name("Hùng", "hung"), Name("Dũng", "dung"),
            Name("Quang", "quang"), Name("Đức", "duc"),
        ],
        female: &[
            Name("Lan", "lan"), Name("Hương", "huong"), Name("Thảo", "thao"), Name("Ngọc", "ngoc"),
            Name("Linh", "linh"), Name("Trang", "trang"),
        ],
        middle_male: &["Văn", "Hữu", "Đức"], middle_female: &["Thị", "Ngọc"], middle_rate: 70,
        last_male: VI_LAST, last_female: VI_LAST,
        titles_male: &["Ông"], titles_female: &["Bà"],
        cities: &[
            City("Hà Nội", "Hà Nội", "100"), City("Thành phố Hồ Chí Minh", "Hồ Chí Minh", "700"),
            City("Đà Nẵng", "Đà Nẵng", "550"), City("Huế", "Thừa Thiên Huế", "530"),
        ],
        streets: &["Đường Láng", "Phố Huế", "Đường Lê Lợi", "Đường Nguyễn Huệ"],
        street_style: "{n} {s}", zip: "######",
        domains: &["gmail.com", "yahoo.com.vn", "fpt.vn"],
        authority: "Cục Quản lý xuất nhập cảnh",
    },
    Locale {
        lang: "KA", country: "Georgia", dial: "+995", weight: 6, home_branch: 4,
        male: &[
            Name("გიორგი", "giorgi"), Name("დავით", "davit"), Name("ლევან", "levan"),
            Name("ნიკოლოზ", "nikoloz"), Name("ირაკლი", "irakli"), Name("ზურაბ", "zurab"),
        ],
        female: &[
            Name("ნინო", "nino"), Name("მარიამ", "mariam"), Name("თამარ", "tamar"),
            Name("ანა", "ana"), Name("ეკატერინე", "ekaterine"), Name("ქეთევან", "ketevan"),
        ],
        middle_male: NONE, middle_female: NONE, middle_rate: 0,
        last_male: KA_LAST, last_female: KA_LAST,
        titles_male: &["ბატონი"], titles_female: &["ქალბატონი"],
        cities: &[
            City("თბილისი", "თბილისი", "01"), City("ბათუმი", "აჭარა", "60"),
            City("ქუთაისი", "იმერეთი", "46"), City("რუსთავი", "ქვემო ქართლი", "37"),
        ],
        streets: &[
            "რუსთაველის გამზირი", "აღმაშენებლის გამზირი", "ჭავჭავაძის გამზირი",
            "ბარათაშვილის ქუჩა",
        ],
        street_style: "{s} {n}", zip: "####",
        domains: &["gmail.com", "yahoo.com", "posta.ge"],
        authority: "სახელმწიფო სერვისების განვითარების სააგენტო",
    },
    Locale {
        lang: "RO", country: "Romania", dial: "+40", weight: 6, home_branch: 3,
        male: &[
            Name("Andrei", "andrei"), Name("Mihai", "mihai"), Name("Ștefan", "stefan"),
            Name("Ionuț", "ionut"), Name("Gheorghe", "gheorghe"), Name("Răzvan", "razvan"),
        ],
        female: &[
            Name("Ioana", "ioana"), Name("Elena", "elena"), Name("Ana-Maria", "anamaria"),
            Name("Mădălina", "madalina"), Name("Cristina", "cristina"),
            Name("Alexandra", "alexandra"),
        ],
        middle_male: &["Cristian", "Florin"], middle_female: &["Maria", "Ecaterina"], middle_rate: 15,
        last_male: RO_LAST, last_female: RO_LAST,
        titles_male: &["Dl."], titles_female: &["Dna."],
        cities: &[
            City("București", "București", "01"), City("Cluj-Napoca", "Cluj", "400"),
            City("Iași", "Iași", "700"), City("Timișoara", "Timiș", "300"),
        ],
        streets: &[
            "Strada Lipscani", "Bulevardul Unirii", "Calea Victoriei", "Strada Republicii",
        ],
        street_style: "{s} nr. {n}", zip: "######",
        domains: &["yahoo.com", "gmail.com"],
        authority: "SPCLEP",
    },
    Locale {
        lang: "ID", country: "Indonesia", dial: "+62", weight: 5, home_branch: 0,
        male: &[
            Name("Budi", "budi"), Name("Agus", "agus"), Name("Rizky", "rizky"),
            Name("Dedi", "dedi"), Name("Joko", "joko"), Name("Andi", "andi"),
        ],
        female: &[
            Name("Siti", "siti"), Name("Dewi", "dewi"), Name("Putri", "putri"), Name("Ayu", "ayu"),
            Name("Rina", "rina"), Name("Wulan", "wulan"),
        ],
        middle_male: &["Adi", "Eko"], middle_female: &["Nur", "Sri"], middle_rate: 20,
        last_male: ID_LAST, last_female: ID_LAST,
        titles_male: &["Bapak"], titles_female: &["Ibu"],
        cities: &[
            City("Jakarta", "DKI Jakarta", "10"), City("Surabaya", "Jawa Timur", "60"),
            City("Bandung", "Jawa Barat", "40"), City("Medan", "Sumatera Utara", "20"),
        ],
        streets: &[
            "Jalan Sudirman", "Jalan Thamrin", "Jalan Diponegoro", "Jalan Gatot Subroto",
        ],
        street_style: "{s} No. {n}", zip: "#####",
        domains: &["gmail.com", "yahoo.co.id"],
        authority: "Direktorat Jenderal Imigrasi",
    },
];

/// The sum of all locale weights.
pub(crate) fn total_weight() -> u32 {
    LOCALES.iter().map(|l| l.weight).sum()
}

/// The locale a draw in `0..total_weight()` falls on.
pub(crate) fn pick(mut draw: u32) -> &'static Locale {
    for l in LOCALES {
        if draw < l.weight {
            return l;
        }
        draw -= l.weight;
    }
    &LOCALES[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_is_complete_and_ascii_spellings_are_mail_safe() {
        for l in LOCALES {
            assert!(!l.male.is_empty() && !l.female.is_empty(), "{}", l.country);
            assert_eq!(l.last_male.len(), l.last_female.len(), "{}", l.country);
            assert!(!l.cities.is_empty() && !l.streets.is_empty() && !l.domains.is_empty());
            assert!(l.street_style.contains("{s}") && l.street_style.contains("{n}"));
            for n in l
                .male
                .iter()
                .chain(l.female)
                .chain(l.last_male)
                .chain(l.last_female)
            {
                assert!(
                    !n.1.is_empty() && n.1.bytes().all(|b| b.is_ascii_lowercase()),
                    "{} / {}",
                    n.0,
                    n.1
                );
            }
            for c in l.cities {
                let digits = l.zip.bytes().filter(|&b| b == b'#').count();
                assert!(c.2.len() <= digits, "{} prefix longer than {}", c.0, l.zip);
            }
            assert!(!l.authority.contains(';'));
        }
    }

    #[test]
    fn pick_covers_every_locale_by_weight() {
        let mut at = 0;
        for l in LOCALES {
            assert!(std::ptr::eq(pick(at), l));
            at += l.weight;
        }
        assert_eq!(at, total_weight());
    }
}
