package io.ragsuite.orchestrator.guard;

import java.util.ArrayList;
import java.util.List;

/**
 * L2-regularised logistic regression over sentence embeddings: the probability that a text (or one sentence of a
 * passage) is a prompt injection. Trained from labelled exemplars each time the service starts, against whatever
 * model the embedding stage serves, so no weights are stored and a different embedding model needs no retraining
 * step of its own.
 *
 * <p>An attack hidden in a document passage is one sentence among ordinary ones, and the exemplars do not say which.
 * Training treats such a passage as a bag (multiple-instance learning, as MI-SVM does): first every sentence of it
 * counts as an attack, then, for {@value #BAG_ROUNDS} more fits, only the sentence the previous fit scored highest.
 *
 * <p>Fitted by L-BFGS on the objective scikit-learn's {@code LogisticRegression(C, class_weight="balanced")}
 * minimises: {@code C * sum(weight_i * logloss_i) + |w|^2 / 2}, intercept unpenalised. Written here because it is
 * 385 parameters on a few thousand vectors; the Java ML libraries that have it (Tribuo, Smile) would bring a
 * framework, and Smile's licence, for one convex fit.
 */
final class InjectionClassifier {
    static final int BAG_ROUNDS = 2;
    private static final int MAX_ITERATIONS = 500;
    private static final int HISTORY = 10;

    private final double[] weights;
    private final double intercept;

    private InjectionClassifier(double[] weights, double intercept) {
        this.weights = weights;
        this.intercept = intercept;
    }

    /** The length of the vectors it was trained on. */
    int dimensions() {
        return weights.length;
    }

    /** The probability that the embedded text is an attack. */
    double probability(float[] v) {
        double z = intercept;
        for (int i = 0; i < weights.length; i++) {
            z += weights[i] * v[i];
        }
        return 1 / (1 + Math.exp(-z));
    }

    /**
     * @param benign  vectors of texts and sentences that are not attacks
     * @param attacks vectors of attacks
     * @param hidden  per passage with an attack hidden somewhere in it, the vectors of its whole text and sentences
     * @param c       inverse regularisation strength, as scikit-learn's C
     */
    static InjectionClassifier fit(List<float[]> benign, List<float[]> attacks, List<List<float[]>> hidden, double c) {
        if (benign.isEmpty() || attacks.isEmpty() && hidden.isEmpty()) {
            throw new IllegalArgumentException("the injection classifier needs exemplars of both attacks and benign texts");
        }
        List<float[]> positives = new ArrayList<>(attacks);
        hidden.forEach(positives::addAll);
        InjectionClassifier model = fit(benign, positives, c, null);
        for (int round = 0; round < BAG_ROUNDS && !hidden.isEmpty(); round++) {
            positives = new ArrayList<>(attacks);
            for (List<float[]> bag : hidden) {
                float[] best = bag.get(0);
                double bestScore = model.probability(best);
                for (float[] v : bag) {
                    double score = model.probability(v);
                    if (score > bestScore) {
                        best = v;
                        bestScore = score;
                    }
                }
                positives.add(best);
            }
            model = fit(benign, positives, c, model);
        }
        return model;
    }

    private static InjectionClassifier fit(List<float[]> negatives, List<float[]> positives, double c,
            InjectionClassifier start) {
        int n = negatives.size() + positives.size();
        int dim = (positives.isEmpty() ? negatives : positives).get(0).length;
        float[][] x = new float[n][];
        double[] y = new double[n];
        double[] weight = new double[n];
        // Balanced class weights, as scikit-learn: n / (2 * n_class).
        double wNeg = n / (2.0 * negatives.size());
        double wPos = n / (2.0 * positives.size());
        for (int i = 0; i < n; i++) {
            boolean pos = i >= negatives.size();
            x[i] = pos ? positives.get(i - negatives.size()) : negatives.get(i);
            if (x[i].length != dim) {
                throw new IllegalArgumentException("exemplar vectors differ in length: " + x[i].length + " vs " + dim);
            }
            y[i] = pos ? 1 : 0;
            weight[i] = (pos ? wPos : wNeg) * c;
        }
        Objective f = new Objective(x, y, weight);
        double[] theta = new double[dim + 1];
        if (start != null) {
            System.arraycopy(start.weights, 0, theta, 0, dim);
            theta[dim] = start.intercept;
        }
        theta = lbfgs(f, theta);
        double[] w = new double[dim];
        System.arraycopy(theta, 0, w, 0, dim);
        return new InjectionClassifier(w, theta[dim]);
    }

    /** The weighted log loss plus |w|^2 / 2 (the last coordinate is the unpenalised intercept), and its gradient. */
    record Objective(float[][] x, double[] y, double[] weight) {
        double valueAndGradient(double[] theta, double[] grad) {
            int dim = theta.length - 1;
            java.util.Arrays.fill(grad, 0);
            double value = 0;
            for (int i = 0; i < x.length; i++) {
                double z = theta[dim];
                for (int j = 0; j < dim; j++) {
                    z += theta[j] * x[i][j];
                }
                // log(1 + e^-z) for y = 1, log(1 + e^z) for y = 0, computed without overflow.
                double m = y[i] == 1 ? -z : z;
                value += weight[i] * (m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m)));
                double g = weight[i] * (1 / (1 + Math.exp(-z)) - y[i]);
                for (int j = 0; j < dim; j++) {
                    grad[j] += g * x[i][j];
                }
                grad[dim] += g;
            }
            for (int j = 0; j < dim; j++) {
                value += 0.5 * theta[j] * theta[j];
                grad[j] += theta[j];
            }
            return value;
        }
    }

    /** Limited-memory BFGS with a backtracking (Armijo) line search; stops when the gradient is flat. */
    static double[] lbfgs(Objective f, double[] start) {
        int d = start.length;
        double[] theta = start.clone();
        double[] grad = new double[d];
        double value = f.valueAndGradient(theta, grad);
        double[][] s = new double[HISTORY][];
        double[][] yk = new double[HISTORY][];
        double[] rho = new double[HISTORY];
        int stored = 0;
        double tolerance = 1e-5 * Math.max(1, norm(grad));
        for (int it = 0; it < MAX_ITERATIONS && norm(grad) > tolerance; it++) {
            // Two-loop recursion: direction = -H * grad.
            double[] q = grad.clone();
            double[] alpha = new double[HISTORY];
            for (int k = stored - 1; k >= 0; k--) {
                alpha[k] = rho[k] * dot(s[k], q);
                axpy(-alpha[k], yk[k], q);
            }
            double gamma = stored > 0 ? dot(s[stored - 1], yk[stored - 1]) / dot(yk[stored - 1], yk[stored - 1])
                    : 1 / Math.max(1, norm(grad));
            for (int j = 0; j < d; j++) {
                q[j] *= gamma;
            }
            for (int k = 0; k < stored; k++) {
                double beta = rho[k] * dot(yk[k], q);
                axpy(alpha[k] - beta, s[k], q);
            }
            for (int j = 0; j < d; j++) {
                q[j] = -q[j];
            }
            double slope = dot(grad, q);
            if (slope >= 0) { // not a descent direction: forget the history, go down the gradient
                stored = 0;
                q = grad.clone();
                for (int j = 0; j < d; j++) {
                    q[j] = -q[j] / Math.max(1, norm(grad));
                }
                slope = dot(grad, q);
            }
            double step = 1;
            double[] next = new double[d];
            double[] nextGrad = new double[d];
            double nextValue;
            while (true) {
                for (int j = 0; j < d; j++) {
                    next[j] = theta[j] + step * q[j];
                }
                nextValue = f.valueAndGradient(next, nextGrad);
                if (nextValue <= value + 1e-4 * step * slope || step < 1e-12) {
                    break;
                }
                step /= 2;
            }
            double[] sNew = new double[d];
            double[] yNew = new double[d];
            for (int j = 0; j < d; j++) {
                sNew[j] = next[j] - theta[j];
                yNew[j] = nextGrad[j] - grad[j];
            }
            double sy = dot(sNew, yNew);
            if (sy > 1e-12) {
                if (stored == HISTORY) {
                    System.arraycopy(s, 1, s, 0, HISTORY - 1);
                    System.arraycopy(yk, 1, yk, 0, HISTORY - 1);
                    System.arraycopy(rho, 1, rho, 0, HISTORY - 1);
                    stored--;
                }
                s[stored] = sNew;
                yk[stored] = yNew;
                rho[stored] = 1 / sy;
                stored++;
            }
            boolean stalled = Math.abs(value - nextValue) <= 1e-12 * Math.max(1, Math.abs(value));
            theta = next;
            grad = nextGrad;
            value = nextValue;
            if (stalled) {
                break;
            }
        }
        return theta;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }
}
