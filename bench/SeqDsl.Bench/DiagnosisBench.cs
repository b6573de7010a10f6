using SeqDsl.Runtime.Episodes;
using SeqDsl.Runtime.Layers;
using SeqDsl.Runtime.Training;
using static TorchSharp.torch;

namespace SeqDsl.Bench;

/// <summary>
/// The diagnosis model's training step (LSTM-DO-TR, Lipton et al. 2016): a padded batch of 32 records of 48 hourly steps
/// with 78 inputs (PhysioNet 2012's 37 values, their 37 missingness indicators and 4 statics), lengths drawn in 12..48,
/// two LSTM(128) layers returning sequences with dropout 0.5 between them, 4 logits per step, target replication with
/// α = 0.5 over the real steps (<see cref="EpisodeLoss.Compute"/>) and an Adam step. The layers run length-aware
/// (<see cref="ILengthAwareModule"/>). Built from runtime layers directly: the episodes spec section is not read here.
/// </summary>
internal static class DiagnosisBench
{
    /// <summary>The model's name in perf.sh and torch_bench.py.</summary>
    public const string Name = "lstm_do_tr";

    private const int Batch = 32, Time = 48, Features = 78, Units = 128, Labels = 4, ShortestRecord = 12;
    private const double TargetReplication = 0.5;

    public static int Step(Options options)
    {
        int threads = Program.Configure(options);
        int warmup = options.Int("warmup", 3), steps = Math.Max(1, options.Int("steps", 15));

        manual_seed(42);
        using var model = new LstmDoTr();
        long[] recordLengths = RecordLengths();
        using var lengths = tensor(recordLengths);
        using var realSteps = EpisodeBatches.StepMask(lengths, Time);
        // Values scaled to [0, 1] and 0/1 indicators, as preprocessing delivers them; zeros after each record's end.
        using var values = rand(Batch, Time, Features);
        using var x = values.mul(realSteps.unsqueeze(2));
        using var labels = randint(0, 2, new long[] { Batch, Labels }).to_type(ScalarType.Float32);
        var lossOptions = new EpisodeLossOptions { TargetReplication = TargetReplication };
        var optimizerOptions = new OptimizerOptions(OptimizerKind.Adam);

        model.train();
        var parameters = model.parameters().ToArray();
        using var optimizer = Optimizers.Create(parameters, optimizerOptions);
        var times = TrainingBench.Time(warmup, steps, () =>
        {
            optimizer.zero_grad();
            var loss = EpisodeLoss.Compute(model.call(x, lengths), labels, lengths, Labels, lossOptions);
            loss.backward();
            optimizer.step();
            return loss;
        });
        long parameterCount = parameters.Sum(p => p.numel());
        TrainingBench.Report(Name, options.Int("round", 1), threads, warmup, times, parameterCount,
            $"runtime layers, {parameterCount:N0} params, input {Batch}x{Time}x{Features}, lengths {ShortestRecord}..{Time} (mean {Program.F(recordLengths.Average(), 2)}), " +
            $"Adam lr {optimizerOptions.EffectiveLearningRate}, target replication {TargetReplication}");
        return 0;
    }

    /// <summary>
    /// Lengths in <see cref="ShortestRecord"/>..<see cref="Time"/> from a fixed 64-bit LCG (Knuth's MMIX constants, seed 1),
    /// the longest forced to <see cref="Time"/>: torch_bench.py draws the same list, so both sides time the same batch.
    /// </summary>
    internal static long[] RecordLengths()
    {
        ulong state = 1;
        var lengths = new long[Batch];
        for (int i = 0; i < Batch; i++)
        {
            state = unchecked(state * 6364136223846793005UL + 1442695040888963407UL);
            lengths[i] = ShortestRecord + (long)((state >> 33) % (Time - ShortestRecord + 1));
        }
        lengths[0] = Time;   // a batch is padded to its longest record
        return lengths;
    }

    /// <summary>LSTM(128) → dropout 0.5 → LSTM(128) → dense 4 logits per step, every recurrent layer length-aware.</summary>
    private sealed class LstmDoTr : nn.Module<Tensor, Tensor, Tensor>
    {
        private readonly Lstm lstm_1;
        private readonly Dropout dropout_1;
        private readonly Lstm lstm_2;
        private readonly Dense dense_1;

        public LstmDoTr() : base(nameof(LstmDoTr))
        {
            lstm_1 = new Lstm("lstm_1", Features, new RecurrentOptions(Units) { ReturnSequences = true });
            dropout_1 = new Dropout("dropout_1", 0.5);
            lstm_2 = new Lstm("lstm_2", Units, new RecurrentOptions(Units) { ReturnSequences = true });
            dense_1 = new Dense("dense_1", Units, new DenseOptions(Labels));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input, Tensor lengths) =>
            dense_1.call(lstm_2.forward(dropout_1.call(lstm_1.forward(input, lengths)), lengths));
    }
}
