using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Training;

// TorchSharp 0.107's Adam, RMSProp and SGD pass every hyper-parameter to libtorch as a temporary Scalar (the implicit
// conversion of a double), which a collection on another thread can finalize while libtorch reads it (see
// TorchScalars). These subclasses perform the same update, operation by operation and in the same order, so their
// results are bit-identical, but hold each number in a Scalar that a `using` keeps alive until the step is done, and
// pass add_'s alpha explicitly (TorchSharp's add_(Scalar) makes a temporary 1 of its own). They
// keep TorchSharp's state classes and options, so checkpoints save and load the optimizer state exactly as before.
// They implement what Optimizers.Create configures: no weight decay, maximize, amsgrad, centered RMSprop or dampening.
// Each has its base class's simple name, which TorchSharp writes into the saved optimizer state and checks on loading:
// checkpoints written with TorchSharp's own optimizers resume with these, and the other way round.

/// <summary>TorchSharp's optimizers with steps that pass libtorch only rooted scalars (see the comment above).</summary>
internal static class RootedOptimizers
{
    /// <summary>Adam (TorchSharp's update) with rooted scalars.</summary>
    internal sealed class Adam(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double beta1, double beta2, double eps)
        : TorchSharp.Modules.Adam(parameters, lr, beta1, beta2, eps)
    {
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var options = group.Options;
            double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, lr = options.LearningRate!.Value;
            using var beta1Scalar = beta1.ToScalar();
            using var firstWeight = (1.0 - beta1).ToScalar();
            using var beta2Scalar = beta2.ToScalar();
            using var secondWeight = (1.0 - beta2).ToScalar();
            using var eps = options.eps!.Value.ToScalar();
            foreach (var parameter in group.Parameters)
            {
                var state = (State)_state[parameter.Handle];
                var grad = parameter.grad;
                if (grad is null) continue;
                state.step++;
                double biasCorrection1 = 1.0 - Math.Pow(beta1, state.step);
                double biasCorrection2 = 1.0 - Math.Pow(beta2, state.step);
                state.exp_avg.mul_(beta1Scalar).add_(grad, firstWeight);
                state.exp_avg_sq.mul_(beta2Scalar).addcmul_(grad, grad.conj(), secondWeight);
                using var correction = Math.Sqrt(biasCorrection2).ToScalar();
                var denominator = state.exp_avg_sq.sqrt().div(correction).add_(eps, TorchScalars.One);
                using var stepSize = (0.0 - lr / biasCorrection1).ToScalar();
                parameter.addcdiv_(state.exp_avg, denominator, stepSize);
            }
        }, closure);
    }

    /// <summary>RMSprop (TorchSharp's update, optionally with momentum) with rooted scalars.</summary>
    internal sealed class RMSProp(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double alpha, double eps, double momentum)
        : TorchSharp.Modules.RMSProp(parameters, lr, alpha, eps, weight_decay: 0, momentum: momentum)
    {
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var options = group.Options;
            double alpha = options.alpha!.Value, momentum = options.momentum!.Value;
            using var alphaScalar = alpha.ToScalar();
            using var squareWeight = (1.0 - alpha).ToScalar();
            using var eps = options.eps!.Value.ToScalar();
            using var momentumScalar = momentum.ToScalar();
            using var minusLr = (0.0 - options.LearningRate!.Value).ToScalar();
            foreach (var parameter in group.Parameters)
            {
                var state = (State)_state[parameter.Handle];
                var grad = parameter.grad;
                if (grad is null) continue;
                state.step++;
                state.square_avg.mul_(alphaScalar).addcmul_(grad, grad, squareWeight);
                var average = state.square_avg.sqrt().add_(eps, TorchScalars.One);
                if (momentum > 0.0)
                {
                    state.momentum_buffer.mul_(momentumScalar).addcdiv_(grad, average, TorchScalars.One);
                    parameter.add_(state.momentum_buffer, minusLr);
                }
                else
                {
                    parameter.addcdiv_(grad, average, minusLr);
                }
            }
        }, closure);
    }

    /// <summary>SGD (TorchSharp's update, optionally with momentum or Nesterov momentum) with rooted scalars.</summary>
    internal sealed class SGD(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double momentum, bool nesterov)
        : TorchSharp.Modules.SGD(parameters, lr, momentum: momentum, nesterov: nesterov)
    {
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var options = group.Options;
            double momentum = options.momentum!.Value;
            bool nesterov = options.nesterov!.Value;
            using var momentumScalar = momentum.ToScalar();
            using var bufferWeight = (1.0 - options.dampening!.Value).ToScalar();
            using var minusLr = (0.0 - options.LearningRate!.Value).ToScalar();
            foreach (var parameter in group.Parameters)
            {
                var state = (State)_state[parameter.Handle];
                var grad = parameter.grad;
                if (grad is null) continue;
                if (momentum != 0.0)
                {
                    var buffer = state.momentum_buffer;
                    if (buffer is null)
                        buffer = state.momentum_buffer = grad.clone().detach().DetachFromDisposeScope();
                    else
                        buffer.mul_(momentumScalar).add_(grad, bufferWeight);
                    grad = nesterov ? grad.add(buffer, momentumScalar) : buffer;
                }
                parameter.add_(grad, minusLr);
            }
        }, closure);
    }
}
