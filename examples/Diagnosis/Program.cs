return SeqDsl.Runtime.Cli.SeqDslCli.Run(args, SeqDsl.Examples.Diagnosis.SeqDslExperiments.All, SeqDsl.Examples.Diagnosis.SeqDslExperiments.Default);
