Console.WriteLine(new SeqDsl.Examples.Papers.LiptonDiagnosisModel().Summary());
Console.WriteLine(new SeqDsl.Examples.Papers.KarpathyBrnnModel().Summary());
