'use strict';
// Summaries of repeated measurements. Every figure the suite reports is a
// median of rounds with its min and max, and every ratio is taken within a
// round (the option and its baseline measured back to back), then summarised
// the same way, so load from other work on the machine cancels out as far as
// it can.

function summary(values) {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const middle = Math.floor(finite.length / 2);
  const median = finite.length % 2 === 1 ? finite[middle] : (finite[middle - 1] + finite[middle]) / 2;
  return { median, min: finite[0], max: finite[finite.length - 1], n: finite.length };
}

/** The summary of `numerator[i] / denominator[i]` over rounds i. */
function ratioSummary(numerator, denominator) {
  return summary(numerator.map((value, i) => value / denominator[i]));
}

module.exports = { summary, ratioSummary };

/**
 * `rounds[optionId]` holds one sample object per round. Returns, per option
 * and metric, the summary of its values and of its ratio to `baselineId`'s
 * value in the same round.
 */
function compareRounds(rounds, metrics, baselineId = 'none') {
  const baseline = rounds[baselineId];
  const result = {};
  for (const [id, samples] of Object.entries(rounds)) {
    result[id] = {};
    for (const metric of metrics) {
      const values = samples.map(sample => sample[metric]);
      result[id][metric] = {
        value: summary(values),
        ratio:
          baseline === undefined
            ? null
            : ratioSummary(
                values,
                baseline.map(sample => sample[metric]),
              ),
      };
    }
  }
  return result;
}

module.exports.compareRounds = compareRounds;
