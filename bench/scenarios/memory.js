'use strict';
// Memory over a longer run: the services the request path loaded (the same
// processes, see servicePool) under more load, in turn, in short slices,
// with their RSS read after each slice. The first slices are warm-up (heaps
// grow to their working size, the exporters' buffers fill); after them RSS
// should stay flat. heapUsed after a forced collection (read only between
// slices) tells a leak from a heap that merely grew.
const { OPTIONS, rotation } = require('../lib/options');
const { runLoad } = require('../lib/load');

const SETTINGS = {
  full: { slices: 6, warmUpSlices: 2, seconds: 2.5 },
  quick: { slices: 2, warmUpSlices: 1, seconds: 0.25 },
};
const MB = 1024 * 1024;

async function run({ quick, services: pool, log }) {
  const settings = quick ? SETTINGS.quick : SETTINGS.full;
  const services = await pool.get();
  const samples = Object.fromEntries(OPTIONS.map(option => [option.id, []]));
  for (let slice = 0; slice < settings.slices; slice++) {
    for (const service of rotation(services, slice)) {
      await runLoad(service.url, settings.seconds);
      const stats = await service.stats(true);
      samples[service.option.id][slice] = { rssMB: stats.rss / MB, heapUsedMB: stats.heapUsed / MB, served: stats.served };
    }
  }
  const byOption = {};
  for (const option of OPTIONS) {
    const series = samples[option.id];
    const warm = series[settings.warmUpSlices - 1];
    const last = series[series.length - 1];
    byOption[option.id] = {
      rssAfterWarmUpMB: warm.rssMB,
      rssAtEndMB: last.rssMB,
      rssGrowthMB: last.rssMB - warm.rssMB,
      rssGrowthPercent: (100 * (last.rssMB - warm.rssMB)) / warm.rssMB,
      heapGrowthMB: last.heapUsedMB - warm.heapUsedMB,
      requestsAfterWarmUp: last.served - warm.served,
      rssRatio: last.rssMB / samples.none[samples.none.length - 1].rssMB,
    };
  }
  log(
    `memory: ${OPTIONS.map(o => `${o.id} ${byOption[o.id].rssAtEndMB.toFixed(1)} MB (${byOption[o.id].rssGrowthMB >= 0 ? '+' : ''}${byOption[o.id].rssGrowthMB.toFixed(1)})`).join(', ')}`,
  );
  return { settings, options: byOption, samples };
}

module.exports = { name: 'memory', run };
