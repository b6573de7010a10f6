using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.Tests.Data;

namespace SeqDsl.Runtime.Tests.Episodes;

public sealed class PhysioNet2012SourceTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private const string Outcomes = "RecordID,SAPS-I,SOFA,Length_of_stay,Survival,In-hospital_death\n132539,-1,1,-1,-1,0\n132540,16,8,2,10,1\n";

    private const string Stay1 =
        "Time,Parameter,Value\n00:00,RecordID,132539\n00:00,Age,54\n00:00,Gender,0\n00:00,Height,-1\n00:00,ICUType,4\n00:00,Weight,-1\n" +
        "00:07,HR,73\n00:07,Urine,900\n00:37,HR,77\n01:10,Weight,80.5\n02:00,Bogus,3\n47:59,Temp,-1\n48:00,HR,90\n";

    private const string Stay2 =
        "Time,Parameter,Value\n00:00,RecordID,132540\n00:00,Age,76\n00:00,Gender,1\n00:00,Height,175.3\n00:00,ICUType,2\n00:00,Weight,76\n" +
        "00:31,GCS,15\n00:31,HR,88\n03:00,Bogus,1\n";

    private string Archive(params (string Name, string Text)[] files)
    {
        string path = _directory.File("set-a.tar.gz");
        using var stream = File.Create(path);
        using var gzip = new GZipStream(stream, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (var (name, text) in files)
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
        return path;
    }

    [Fact]
    public void Reads_the_archive_directly_with_descriptors_sentinels_and_outcomes()
    {
        string outcomes = _directory.Write("Outcomes-a.txt", Outcomes);
        var set = PhysioNet2012Source.Load(Archive(("set-a/132539.txt", Stay1), ("set-a/132540.txt", Stay2)), outcomes);

        Assert.Equal(new[] { "132539", "132540" }, set.Records.Select(r => r.Id));
        Assert.Equal(37, set.Variables.Count);
        Assert.Equal(new[] { "SAPS-I", "SOFA", "Length_of_stay", "Survival", "In-hospital_death" }, set.OutcomeNames);
        var first = set.Records[0];
        // Height and the 00:00 Weight are -1: missing; the later Weight is a time-varying observation.
        Assert.Equal(new double?[] { 54, 0, null, 4, null }, first.Statics);
        int hr = set.Variables.ToList().IndexOf("HR"), weight = set.Variables.ToList().IndexOf("Weight");
        Assert.Equal(new[] { (7f, hr, 73f), (37f, hr, 77f), (70f, weight, 80.5f), (2880f, hr, 90f) },
            first.Observations.Where(o => o.Variable != set.Variables.ToList().IndexOf("Urine")).Select(o => (o.Minutes, o.Variable, o.Value)));
        Assert.DoesNotContain(first.Observations, o => o.Value == -1);
        Assert.Equal(new double?[] { 16, 8, 2, 10, 1 }, set.Records[1].Outcomes);
        // -1 is an unrecorded SAPS-I or length of stay, but Survival's code for "survived".
        Assert.Equal(new double?[] { null, 1, null, -1, 0 }, first.Outcomes);
        var unknown = Assert.Single(set.UnknownVariables);
        Assert.Equal(("Bogus", 2), (unknown.Name, unknown.Count));
        Assert.EndsWith("set-a/132539.txt(12)", unknown.FirstSeen);
    }

    [Fact]
    public void A_folder_of_stay_files_reads_as_the_archive_does()
    {
        string outcomes = _directory.Write("Outcomes-a.txt", Outcomes);
        Directory.CreateDirectory(_directory.File("set-a"));
        _directory.Write("set-a/132539.txt", Stay1);
        _directory.Write("set-a/132540.txt", Stay2);
        var fromFolder = PhysioNet2012Source.Load(_directory.File("set-a"), outcomes);
        var fromArchive = PhysioNet2012Source.Load(Archive(("set-a/132539.txt", Stay1), ("set-a/132540.txt", Stay2)), outcomes);
        Assert.Equal(fromArchive.Records.Select(r => r.Observations.Length), fromFolder.Records.Select(r => r.Observations.Length));
        Assert.Equal(fromArchive.Records[1].Observations, fromFolder.Records[1].Observations);
    }

    [Fact]
    public void A_malformed_line_names_the_file_and_line()
    {
        string outcomes = _directory.Write("Outcomes-a.txt", Outcomes);
        var badTime = Assert.Throws<DataFormatException>(() => PhysioNet2012Source.Load(Archive(("set-a/132539.txt", Stay1.Replace("00:37,HR", "0:3x,HR"))), outcomes));
        Assert.Contains("set-a/132539.txt(10): column 'Time'", badTime.Message);
        var badValue = Assert.Throws<DataFormatException>(() => PhysioNet2012Source.Load(Archive(("set-a/132539.txt", Stay1.Replace("77", "seventy"))), outcomes));
        Assert.Contains("(10): column 'Value': 'seventy' is not a number for HR", badValue.Message);
        var noComma = Assert.Throws<DataFormatException>(() => PhysioNet2012Source.Load(Archive(("set-a/132539.txt", Stay1 + "garbage\n")), outcomes));
        Assert.Equal(15, noComma.Line);
    }

    [Fact]
    public void Unknown_variables_can_be_an_error_and_a_stay_without_outcome_is_one()
    {
        string outcomes = _directory.Write("Outcomes-a.txt", Outcomes);
        var unknown = Assert.Throws<DataFormatException>(() => PhysioNet2012Source.Load(Archive(("set-a/132539.txt", Stay1.Replace("Bogus", "Glucos"))), outcomes,
            new PhysioNet2012Options { UnknownVariables = UnknownVariablePolicy.Error }));
        Assert.Contains("(12): unknown variable 'Glucos' (did you mean 'Glucose'?)", unknown.Message);

        string partial = _directory.Write("partial.txt", "RecordID,In-hospital_death\n132540,1\n");
        var missing = Assert.Throws<InvalidDataException>(() => PhysioNet2012Source.Load(Archive(("set-a/132539.txt", Stay1)), partial));
        Assert.Contains("record '132539'", missing.Message);
        Assert.Contains("has no row in " + partial, missing.Message);
    }
}

public sealed class LongCsvEpisodeSourceTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Reads_long_rows_in_any_order_with_statics_and_labels()
    {
        string observations = _directory.Write("obs.csv",
            "record,time,variable,value\nb,90,hr,70\na,00:30,hr,80\na,0,age,61\na,10,sbp,\na,5,hr,82\nb,0,age,44\nb,30,sbp,120\n");
        string labels = _directory.Write("labels.csv", "record,death,los\na,1,2.5\nb,0,\n");
        var set = LongCsvEpisodeSource.Load(observations, labels, new LongCsvEpisodeOptions { Statics = new[] { "age" } });

        Assert.Equal(new[] { "hr", "sbp" }, set.Variables);
        Assert.Equal(new[] { "death", "los" }, set.OutcomeNames);
        Assert.Equal(new[] { "b", "a" }, set.Records.Select(r => r.Id));
        var a = set.Records[1];
        Assert.Equal(new[] { new Observation(5, 0, 82), new Observation(30, 0, 80) }, a.Observations);
        Assert.Equal(new double?[] { 61 }, a.Statics);
        Assert.Equal(new double?[] { 0, null }, set.Records[0].Outcomes);
    }

    [Fact]
    public void Bad_rows_name_file_line_and_column()
    {
        string labels = _directory.Write("labels.csv", "record,death\na,1\n");
        string badValue = _directory.Write("obs.csv", "record,time,variable,value\na,0,hr,80\na,5,hr,fast\n");
        var error = Assert.Throws<DataFormatException>(() => LongCsvEpisodeSource.Load(badValue, labels));
        Assert.Equal((3, "value"), (error.Line, error.Column));

        string badColumn = _directory.Write("obs2.csv", "id,time,variable,value\na,0,hr,80\n");
        var column = Assert.Throws<DataFormatException>(() => LongCsvEpisodeSource.Load(badColumn, labels));
        Assert.Contains("column 'record'", column.Message);

        string unlabelled = _directory.Write("obs3.csv", "record,time,variable,value\nz,0,hr,80\n");
        Assert.Contains("record 'z'", Assert.Throws<InvalidDataException>(() => LongCsvEpisodeSource.Load(unlabelled, labels)).Message);

        string unknown = _directory.Write("obs4.csv", "record,time,variable,value\na,0,hr,80\na,1,rr,12\na,2,rr,13\n");
        var set = LongCsvEpisodeSource.Load(unknown, labels, new LongCsvEpisodeOptions { Variables = new[] { "hr" } });
        Assert.Equal(new UnknownVariable("rr", 2, $"{unknown}(3)"), Assert.Single(set.UnknownVariables));
    }
}

public sealed class SyntheticIcuTests
{
    private static readonly EpisodeSet Set = SyntheticIcu.Generate(new SyntheticIcuOptions { Records = 300, Seed = 7 });

    [Fact]
    public void Is_deterministic_and_has_the_papers_variables_and_twelve_labels()
    {
        var again = SyntheticIcu.Generate(new SyntheticIcuOptions { Records = 300, Seed = 7 });
        Assert.Equal(Set.Records[17].Observations, again.Records[17].Observations);
        Assert.Equal(Set.Records[299].Outcomes, again.Records[299].Outcomes);
        Assert.NotEqual(Set.Records[0].Observations.Length, SyntheticIcu.Generate(new SyntheticIcuOptions { Records = 1, Seed = 8 }).Records[0].Observations.Length);
        Assert.Equal(14, Set.Variables.Count);
        Assert.Contains("EndTidalCO2", Set.Variables);
        Assert.Equal(13, Set.OutcomeNames.Count);
        foreach (var record in Set.Records)
        {
            double hours = record.Outcomes[^1]!.Value * 24;
            Assert.InRange(hours, 11.99, 21 * 24 + 0.01);
            Assert.All(record.Observations, o => Assert.InRange(o.Minutes, 0, hours * 60 + 1));
        }
    }

    [Fact]
    public void Labels_have_sensible_prevalence_and_missingness_is_informative()
    {
        var labels = EpisodeLabels.Resolve(Set, SyntheticIcu.OutcomeNames.Take(12).Select(n => new LabelDefinition(n, n)).ToArray());
        var all = Enumerable.Range(0, Set.Records.Count).ToArray();
        Assert.All(labels.Prevalence(all), p => Assert.InRange(p, 0.02, 0.6));

        // Glucose is measured far more often per hour once ketoacidosis is present.
        int glucose = Set.Variables.ToList().IndexOf("Glucose"), ketoacidosis = labels.Names.ToList().IndexOf("ketoacidosis");
        double Rate(bool sick) => all.Where(r => (labels[r, ketoacidosis] == 1) == sick)
            .Average(r => Set.Records[r].Observations.Count(o => o.Variable == glucose) / (Set.Records[r].Outcomes[^1]!.Value * 24));
        Assert.True(Rate(true) > 2.5 * Rate(false), $"{Rate(true)} vs {Rate(false)}");
    }
}
