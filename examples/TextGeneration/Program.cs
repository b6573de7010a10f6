var model = new SeqDsl.Examples.TextGeneration.CharLstmModel();
Console.WriteLine(model.Summary());
