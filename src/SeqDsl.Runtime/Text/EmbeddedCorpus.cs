using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;

namespace SeqDsl.Runtime.Text;

/// <summary>
/// The built-in corpus behind <see cref="TextCorpus.Embedded"/>: about 250,000 characters of synthetic English prose
/// in the manner of a book of numbered aphorisms, generated from a hand-written grammar and a few hundred words with a
/// fixed seed.
/// </summary>
/// <remarks>
/// Synthetic on purpose: the runtime must train a character-level model offline on a fresh machine, and shipping a
/// generator (a few tens of kilobytes) instead of a third-party book keeps the assembly small and its licence simple.
/// The grammar, the word lists and therefore the generated text were written for this project and are dedicated to
/// the public domain. The generator uses its own SplitMix64 sequence and invariant-culture casing only, so the text is
/// the same on every machine, runtime and culture.
/// </remarks>
internal static class EmbeddedCorpus
{
    /// <summary>Characters the generator stops after (it finishes the section it is in).</summary>
    internal const int TargetLength = 250_000;

    private const ulong Seed = 0x5EED_D51_7E47UL;
    private const int LineWidth = 70;

    private static readonly Lazy<string> text = new(() => new Writer(Seed).Book(TargetLength), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The generated corpus (created on first use).</summary>
    public static string Text => text.Value;

    private enum Person { First, Third, Plural }

    // Countable nouns: singular and plural.
    private static readonly (string One, string Many)[] Nouns =
    [
        ("truth", "truths"), ("philosopher", "philosophers"), ("spirit", "spirits"), ("soul", "souls"), ("instinct", "instincts"),
        ("virtue", "virtues"), ("value", "values"), ("belief", "beliefs"), ("custom", "customs"), ("error", "errors"),
        ("passion", "passions"), ("man", "men"), ("woman", "women"), ("child", "children"), ("friend", "friends"),
        ("enemy", "enemies"), ("teacher", "teachers"), ("scholar", "scholars"), ("artist", "artists"), ("poet", "poets"),
        ("priest", "priests"), ("judge", "judges"), ("nation", "nations"), ("age", "ages"), ("century", "centuries"),
        ("world", "worlds"), ("thought", "thoughts"), ("idea", "ideas"), ("feeling", "feelings"), ("desire", "desires"),
        ("fear", "fears"), ("hope", "hopes"), ("mask", "masks"), ("question", "questions"), ("answer", "answers"),
        ("book", "books"), ("word", "words"), ("law", "laws"), ("god", "gods"), ("hero", "heroes"), ("saint", "saints"),
        ("master", "masters"), ("servant", "servants"), ("stranger", "strangers"), ("neighbour", "neighbours"),
        ("conscience", "consciences"), ("heart", "hearts"), ("eye", "eyes"), ("hand", "hands"), ("voice", "voices"),
        ("road", "roads"), ("mountain", "mountains"), ("sea", "seas"), ("star", "stars"), ("night", "nights"),
        ("morning", "mornings"), ("garden", "gardens"), ("house", "houses"), ("city", "cities"), ("tree", "trees"),
        ("river", "rivers"), ("storm", "storms"), ("fire", "fires"), ("shadow", "shadows"), ("mirror", "mirrors"),
        ("dream", "dreams"), ("memory", "memories"), ("promise", "promises"), ("secret", "secrets"), ("lie", "lies"),
        ("habit", "habits"), ("duty", "duties"), ("right", "rights"), ("reward", "rewards"), ("punishment", "punishments"),
        ("victory", "victories"), ("defeat", "defeats"), ("sacrifice", "sacrifices"), ("science", "sciences"),
        ("religion", "religions"), ("opinion", "opinions"), ("prejudice", "prejudices"), ("problem", "problems"),
        ("danger", "dangers"), ("reason", "reasons"), ("cause", "causes"), ("purpose", "purposes"), ("system", "systems"),
        ("moralist", "moralists"), ("critic", "critics"), ("reader", "readers"), ("writer", "writers"), ("sage", "sages"),
        ("fool", "fools"), ("crowd", "crowds"), ("herd", "herds"), ("shepherd", "shepherds"), ("wanderer", "wanderers"),
        ("guest", "guests"), ("physician", "physicians"), ("invalid", "invalids"), ("soldier", "soldiers"),
        ("merchant", "merchants"), ("statesman", "statesmen"), ("youth", "youths"), ("virtuoso", "virtuosos"),
        ("pleasure", "pleasures"), ("pain", "pains"), ("wound", "wounds"), ("gift", "gifts"), ("debt", "debts"),
        ("bridge", "bridges"), ("abyss", "abysses"), ("labyrinth", "labyrinths"), ("riddle", "riddles"), ("symbol", "symbols"),
    ];

    // Uncountable nouns: no plural, no indefinite article.
    private static readonly string[] MassNouns =
    [
        "knowledge", "wisdom", "courage", "honesty", "cruelty", "pity", "pride", "vanity", "modesty", "solitude",
        "suffering", "happiness", "health", "sickness", "music", "art", "history", "nature", "life", "death",
        "morality", "reason", "faith", "doubt", "shame", "gratitude", "revenge", "justice", "freedom", "obedience",
        "power", "weakness", "cleverness", "stupidity", "laughter", "silence", "patience", "love", "hatred", "envy",
        "contempt", "reverence", "luck", "taste", "learning", "youth", "old age", "mistrust", "curiosity", "sincerity",
    ];

    private static readonly string[] Adjectives =
    [
        "noble", "base", "proud", "modest", "strong", "weak", "deep", "shallow", "subtle", "coarse", "free", "old",
        "young", "new", "ancient", "modern", "lonely", "cheerful", "gloomy", "cruel", "gentle", "honest", "false",
        "true", "sick", "healthy", "rare", "common", "refined", "vulgar", "hidden", "secret", "great", "small",
        "dangerous", "tired", "eager", "patient", "restless", "silent", "clever", "foolish", "wise", "pious",
        "learned", "severe", "tender", "bold", "timid", "hard", "bright", "dark", "strange", "heavy", "light", "cold",
        "warm", "bitter", "sweet", "sober", "serious", "playful", "unknown", "useful", "unique", "honourable",
        "idle", "exhausted", "inward", "everyday", "solemn", "ugly", "beautiful", "grateful", "wicked", "nimble",
    ];

    // Verbs taking an object: base, third person singular, past, past participle.
    private static readonly (string Base, string Third, string Past, string Participle)[] Transitive =
    [
        ("love", "loves", "loved", "loved"), ("hate", "hates", "hated", "hated"), ("fear", "fears", "feared", "feared"),
        ("seek", "seeks", "sought", "sought"), ("find", "finds", "found", "found"), ("lose", "loses", "lost", "lost"),
        ("honour", "honours", "honoured", "honoured"), ("despise", "despises", "despised", "despised"),
        ("conceal", "conceals", "concealed", "concealed"), ("reveal", "reveals", "revealed", "revealed"),
        ("betray", "betrays", "betrayed", "betrayed"), ("forgive", "forgives", "forgave", "forgiven"),
        ("demand", "demands", "demanded", "demanded"), ("deny", "denies", "denied", "denied"),
        ("doubt", "doubts", "doubted", "doubted"), ("praise", "praises", "praised", "praised"),
        ("teach", "teaches", "taught", "taught"), ("destroy", "destroys", "destroyed", "destroyed"),
        ("create", "creates", "created", "created"), ("guard", "guards", "guarded", "guarded"),
        ("mistrust", "mistrusts", "mistrusted", "mistrusted"), ("overcome", "overcomes", "overcame", "overcome"),
        ("understand", "understands", "understood", "understood"), ("know", "knows", "knew", "known"),
        ("forget", "forgets", "forgot", "forgotten"), ("flatter", "flatters", "flattered", "flattered"),
        ("command", "commands", "commanded", "commanded"), ("obey", "obeys", "obeyed", "obeyed"),
        ("serve", "serves", "served", "served"), ("choose", "chooses", "chose", "chosen"), ("bear", "bears", "bore", "borne"),
        ("carry", "carries", "carried", "carried"), ("measure", "measures", "measured", "measured"),
        ("weigh", "weighs", "weighed", "weighed"), ("question", "questions", "questioned", "questioned"),
        ("follow", "follows", "followed", "followed"), ("imitate", "imitates", "imitated", "imitated"),
        ("worship", "worships", "worshipped", "worshipped"), ("tempt", "tempts", "tempted", "tempted"),
        ("wound", "wounds", "wounded", "wounded"), ("heal", "heals", "healed", "healed"), ("seize", "seizes", "seized", "seized"),
        ("mistake", "mistakes", "mistook", "mistaken"), ("envy", "envies", "envied", "envied"),
        ("admire", "admires", "admired", "admired"), ("pity", "pities", "pitied", "pitied"), ("refute", "refutes", "refuted", "refuted"),
        ("interpret", "interprets", "interpreted", "interpreted"), ("explain", "explains", "explained", "explained"),
        ("endure", "endures", "endured", "endured"), ("reward", "rewards", "rewarded", "rewarded"),
        ("punish", "punishes", "punished", "punished"), ("protect", "protects", "protected", "protected"),
        ("silence", "silences", "silenced", "silenced"), ("awaken", "awakens", "awakened", "awakened"),
    ];

    // Verbs without an object.
    private static readonly (string Base, string Third, string Past, string Participle)[] Intransitive =
    [
        ("suffer", "suffers", "suffered", "suffered"), ("laugh", "laughs", "laughed", "laughed"),
        ("think", "thinks", "thought", "thought"), ("speak", "speaks", "spoke", "spoken"), ("wait", "waits", "waited", "waited"),
        ("grow", "grows", "grew", "grown"), ("err", "errs", "erred", "erred"), ("decline", "declines", "declined", "declined"),
        ("perish", "perishes", "perished", "perished"), ("rise", "rises", "rose", "risen"), ("fall", "falls", "fell", "fallen"),
        ("wander", "wanders", "wandered", "wandered"), ("hesitate", "hesitates", "hesitated", "hesitated"),
        ("rejoice", "rejoices", "rejoiced", "rejoiced"), ("fail", "fails", "failed", "failed"),
        ("triumph", "triumphs", "triumphed", "triumphed"), ("sleep", "sleeps", "slept", "slept"),
        ("listen", "listens", "listened", "listened"), ("dance", "dances", "danced", "danced"),
        ("obey", "obeys", "obeyed", "obeyed"), ("believe", "believes", "believed", "believed"),
        ("lie", "lies", "lied", "lied"), ("change", "changes", "changed", "changed"), ("live", "lives", "lived", "lived"),
    ];

    private static readonly string[] Adverbs =
    [
        "perhaps", "always", "never", "seldom", "often", "secretly", "quietly", "gladly", "rightly", "slowly", "still",
        "already", "rarely", "willingly", "instinctively", "at bottom", "above all", "in the end", "almost always",
        "only", "even", "once", "again", "more and more", "no longer",
    ];

    private static readonly string[] Openers =
    [
        "Perhaps", "At bottom", "In truth", "For the most part", "Sooner or later", "In every age", "Among scholars",
        "Now and then", "Above all", "In the end", "As a rule", "In solitude", "Among friends", "In the long run",
        "Strictly speaking", "Once and for all", "On the contrary", "In this respect", "Among the ancients",
        "To put it plainly", "Here again", "For this reason", "In the morning", "At night",
    ];

    private static readonly string[] Prepositions =
    [
        "of", "in", "with", "against", "for", "beyond", "under", "before", "after", "without", "among", "towards",
        "behind", "above", "through",
    ];

    // Prepositions after a verb without an object ("of" would read "he erred of the law").
    private static readonly string[] Places =
    [
        "in", "with", "against", "for", "beyond", "under", "before", "after", "without", "among", "towards", "behind",
        "above", "through", "like",
    ];

    private static readonly string[] Modals = ["must", "will", "can", "should", "may", "would", "cannot", "could", "shall"];

    private static readonly string[] Conjunctions = ["and", "but", "for", "yet", "and therefore", "and so", "while"];

    private static readonly string[] Asides =
    [
        "and this is rarely noticed", "as everybody knows", "to speak with the old moralists", "so it seems",
        "it must be admitted", "one may say so", "let us be honest", "who would deny it", "I say it with reluctance",
        "and not without reason", "in the old sense of the word", "if we are honest",
    ];

    private static readonly string[] Certainties =
    [
        "One thing is certain", "This much is clear", "Let us be honest with ourselves", "Here is the difficulty",
        "The old question returns", "Mark this well", "I have often said it", "It is a matter of taste",
    ];

    private static readonly string[] Judgements =
    [
        "no accident", "a sign of health", "a sign of decline", "a matter of rank", "the beginning of wisdom",
        "an old prejudice", "a dangerous game", "a question of taste", "a kind of revenge", "a form of modesty",
    ];

    private static readonly string[] Chapters =
    [
        "prejudices", "free spirits", "the religious mood", "maxims and interludes", "the natural history of morals",
        "we scholars", "our virtues", "peoples and countries", "what is noble", "the wanderer and his shadow",
        "the artist and the crowd", "the uses of solitude", "masks and mirrors", "the old and the new tables",
        "the problem of the physician", "laughter and seriousness",
    ];

    private sealed class Writer
    {
        private ulong state;
        private readonly StringBuilder book = new();

        public Writer(ulong seed) => state = seed;

        public string Book(int targetLength)
        {
            int section = 1;
            int chapter = 0;
            while (book.Length < targetLength)
            {
                if (section == 1 || Chance(0.04))
                {
                    string title = Chapters[chapter++ % Chapters.Length].ToUpperInvariant();
                    book.Append($"CHAPTER {Roman(chapter)}. {title}\n\n\n");
                }
                book.Append(section.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(". ");
                int paragraphs = Chance(0.7) ? 1 : 2 + Below(2);
                for (int p = 0; p < paragraphs; p++)
                {
                    var paragraph = new StringBuilder();
                    int sentences = 2 + Below(7);
                    for (int s = 0; s < sentences; s++)
                    {
                        if (s > 0) paragraph.Append(' ');
                        paragraph.Append(Sentence());
                    }
                    Wrap(paragraph.ToString(), p == 0 ? section.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 2 : 0);
                    book.Append("\n\n");
                }
                book.Append('\n');
                section++;
            }
            return book.ToString();
        }

        // Hard-wrapped lines, as in the plain-text editions of old books; `used` columns are taken by the section number.
        private void Wrap(string paragraph, int used)
        {
            int column = used;
            bool first = true;
            foreach (var word in paragraph.Split(' '))
            {
                if (!first && column + 1 + word.Length > LineWidth)
                {
                    book.Append('\n');
                    column = 0;
                }
                else if (!first)
                {
                    book.Append(' ');
                    column++;
                }
                book.Append(word);
                column += word.Length;
                first = false;
            }
        }

        private string Sentence()
        {
            string s = Below(20) switch
            {
                0 or 1 or 2 => Clause() + ".",
                3 or 4 => $"{Pick(Openers)}, {Clause()}.",
                5 or 6 => $"{Clause()}, {Pick(Conjunctions)} {Clause()}.",
                7 => $"{Clause()}; {Clause()}.",
                8 => $"It is {Pick(Judgements)} that {Clause()}.",
                9 => $"Whoever {Verb(Pick(Transitive), Person.Third, Tense())} {Np(1).Text}, {Predicate(Person.Third, 1)}.",
                10 => $"If {Clause()}, {Clause()}.",
                11 => Question(),
                12 => Exclamation(),
                13 => Definition(),
                14 => Comparison(),
                15 => NotButThat(),
                16 => Aside(),
                17 => Quotation(),
                18 => $"{Pick(Certainties)}: {Clause()}.",
                _ => TheMore(),
            };
            return Capitalize(s);
        }

        private string Clause()
        {
            var (subject, person) = Subject();
            return $"{subject} {Predicate(person, 0)}";
        }

        private (string Text, Person Person) Subject()
        {
            if (Chance(0.2))
            {
                return Below(7) switch
                {
                    0 => ("I", Person.First),
                    1 => ("we", Person.Plural),
                    2 => ("you", Person.Plural),
                    3 => ("they", Person.Plural),
                    4 => ("he", Person.Third),
                    5 => ("she", Person.Third),
                    _ => ("one", Person.Third),
                };
            }
            var np = Np(0);
            return (np.Text, np.Plural ? Person.Plural : Person.Third);
        }

        private string Predicate(Person person, int depth)
        {
            string adverb = Chance(0.25) ? Pick(Adverbs) + " " : "";
            switch (Below(10))
            {
                case 0:
                case 1:
                    return $"{Copula(person)} {adverb}{Adjective()}";
                case 2:
                    return $"{Copula(person)} {adverb}{Np(depth + 1).Text}";
                case 3:
                case 4:
                    return $"{adverb}{Verb(Pick(Intransitive), person, Tense())}{(Chance(0.35) ? " " + Pp(depth + 1, Places) : "")}";
                default:
                    return $"{adverb}{Verb(Pick(Transitive), person, Tense())} {Object(person, depth + 1)}";
            }
        }

        private string Object(Person person, int depth)
        {
            if (Chance(0.1))
                return person switch { Person.First => "myself", Person.Plural => "themselves", _ => Pick(["himself", "herself", "itself", "oneself"]) };
            if (Chance(0.08))
                return Pick(["him", "her", "them", "us", "it", "everything", "nothing", "something"]);
            var np = Np(depth).Text;
            return Chance(0.25) ? $"{np} {Pp(depth + 1, Prepositions)}" : np;
        }

        private string Pp(int depth, string[] prepositions) => $"{Pick(prepositions)} {Np(depth + 1).Text}";

        private int Tense() => Below(10) switch
        {
            < 5 => 0,   // present
            < 7 => 1,   // past
            < 9 => 2,   // modal
            _ => 3,     // perfect
        };

        private string Verb((string Base, string Third, string Past, string Participle) verb, Person person, int tense) => tense switch
        {
            0 => person == Person.Third ? verb.Third : verb.Base,
            1 => verb.Past,
            2 => $"{Pick(Modals)} {verb.Base}",
            _ => $"{(person == Person.Third ? "has" : "have")} {verb.Participle}",
        };

        private string Copula(Person person) => (Below(4), person) switch
        {
            (< 2, Person.First) => "am",
            (< 2, Person.Third) => "is",
            (< 2, _) => "are",
            (2, Person.Plural) => "were",
            (2, _) => "was",
            _ => $"{Pick(Modals)} be",
        };

        private string Adjective() => Chance(0.15) ? $"{Pick(Adjectives)} and {Pick(Adjectives)}" : Pick(Adjectives);

        private (string Text, bool Plural) Np(int depth)
        {
            string head;
            bool plural = false;
            string adjective = Chance(0.35) ? Adjective() + " " : "";
            if (Chance(0.22))
            {
                string mass = Pick(MassNouns);
                string det = Pick(["", "", "", "the ", "all ", "this ", "our ", "such ", "their "]);
                head = det + adjective + mass;
            }
            else
            {
                var noun = Pick(Nouns);
                plural = Chance(0.45);
                if (plural)
                {
                    string det = Pick(["the ", "", "", "all ", "some ", "many ", "these ", "those ", "few ", "most ", "our ", "their "]);
                    head = det + adjective + noun.Many;
                }
                else
                {
                    string det = Pick(["the ", "the ", "a ", "a ", "every ", "this ", "that ", "no ", "each ", "his ", "her ", "one's "]);
                    if (det == "a ")
                        det = Article(adjective.Length > 0 ? adjective : noun.One) + " ";
                    head = det + adjective + noun.One;
                    if (Chance(0.06))
                        head = $"{head}'s {Pick(Nouns).One}";
                }
            }
            if (depth < 2 && Chance(0.18))
                head = $"{head} of {Np(depth + 1).Text}";
            else if (depth < 1 && Chance(0.08))
                head = $"{head} who {Predicate(plural ? Person.Plural : Person.Third, depth + 2)}";
            return (head, plural);
        }

        private string Question()
        {
            var np = Np(0);
            return Below(5) switch
            {
                0 => $"Does {Np(1).Text} {Pick(Transitive).Base} {Np(1).Text}?",
                1 => $"Why do {Pick(Nouns).Many} {Pick(Transitive).Base} {Np(1).Text}?",
                2 => $"What is {np.Text} but {Np(1).Text}?",
                3 => $"Who has ever {Pick(Transitive).Participle} {Np(1).Text}?",
                _ => $"And {Pick(["who", "what", "where", "how"])} {(np.Plural ? "are" : "is")} {np.Text} {Pick(Prepositions)} {Np(1).Text}?",
            };
        }

        private string Exclamation()
        {
            if (Chance(0.5))
            {
                var np = Np(1);
                return $"How {Pick(Adjectives)} {np.Text} {(np.Plural ? "are" : "is")}!";
            }
            string adjective = Pick(Adjectives);
            return $"What {Article(adjective)} {adjective} {Pick(Nouns).One}!";
        }

        private string Definition()
        {
            var np = Np(0);
            string be = np.Plural ? "are" : "is";
            return Below(3) switch
            {
                0 => $"{np.Text} {be} {Pick(Adjectives)}, {Pick(Adjectives)} and {Pick(Adjectives)}.",
                1 => $"{np.Text} {be} nothing but {Np(1).Text}.",
                _ => $"{np.Text} {be} the {Pick(Nouns).One} of {Np(1).Text}.",
            };
        }

        private string Comparison()
        {
            var np = Np(0);
            return Chance(0.5)
                ? $"{np.Text} {(np.Plural ? "are" : "is")} more {Pick(Adjectives)} than {Np(1).Text}."
                : $"There is nothing more {Pick(Adjectives)} than {Np(1).Text}.";
        }

        private string NotButThat()
        {
            var (subject, person) = Subject();
            return $"Not {Np(1).Text}, but {Np(1).Text}: that is what {subject} {Verb(Pick(Transitive), person, Tense())}.";
        }

        private string Aside()
        {
            var (subject, person) = Subject();
            return Chance(0.5)
                ? $"{subject} -- {Pick(Asides)} -- {Predicate(person, 0)}."
                : $"{subject} {Predicate(person, 0)} ({Pick(Asides)}).";
        }

        private string Quotation()
        {
            string quoted = Capitalize(Clause());
            string noun = Pick(Nouns).One;
            string adjective = Pick(Adjectives);
            return Chance(0.5)
                ? $"As {Article(adjective)} {adjective} {noun} once said: \"{quoted}.\""
                : $"\"{quoted},\" said the {noun}, \"{Clause()}.\"";
        }

        private string TheMore()
        {
            var np = Np(1);
            return $"The more {Clause()}, the more {Pick(Adjectives)} {np.Text} {(np.Plural ? "become" : "becomes")}.";
        }

        private static string Article(string next)
        {
            // "an honest", "a useful": the sound decides, not the letter.
            if (next.StartsWith("hon", StringComparison.Ordinal) || next.StartsWith("hour", StringComparison.Ordinal))
                return "an";
            if (next.StartsWith("us", StringComparison.Ordinal) || next.StartsWith("uni", StringComparison.Ordinal) || next.StartsWith("one", StringComparison.Ordinal))
                return "a";
            return "aeiou".Contains(next[0], StringComparison.Ordinal) ? "an" : "a";
        }

        private static string Capitalize(string s)
        {
            int i = s[0] == '"' ? 1 : 0;
            return s[..i] + char.ToUpperInvariant(s[i]) + s[(i + 1)..];
        }

        private static string Roman(int n)
        {
            var digits = new (int Value, string Symbol)[] { (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I") };
            var result = new StringBuilder();
            foreach (var (value, symbol) in digits)
            {
                while (n >= value)
                {
                    result.Append(symbol);
                    n -= value;
                }
            }
            return result.ToString();
        }

        private T Pick<T>(IReadOnlyList<T> items) => items[Below(items.Count)];

        private bool Chance(double p) => (NextUInt64() >> 11) * (1.0 / (1UL << 53)) < p;

        private int Below(int n) => (int)(NextUInt64() % (ulong)n);

        // SplitMix64: tiny, well distributed, and fixed forever, unlike System.Random's unseeded algorithm choice.
        private ulong NextUInt64()
        {
            ulong z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
