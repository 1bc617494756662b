odoo.define('kam_management.dashboard', function (require) {
"use strict";
/**
 * The cockpit of the user's role (issue 15): 我的工作台 (key account
 * manager, support staff), 区域驾驶舱 (regional manager), 总监驾驶舱 (sales
 * director). Client action ``kam_management.dashboard``
 * (``kam_management.action_kam_dashboard``).
 *
 * The figures come from ``kam.dashboard.kam_dashboard_data()``, counted on
 * the server under the user's record rules, and every text is translated
 * there. This widget only draws them: tiles, gauges (a d3 arc, as
 * web_kanban_gauge draws its gauge), line and bar charts with nvd3, the
 * charting library Odoo 11 bundles (lazy-loaded as the ``dashboard_graph``
 * widget of the sales team dashboard loads it; no other library), and
 * tables. A tile, a bar, a chart's title or a table cell opens the records
 * behind its number; every figure's ``title`` says how it is computed.
 */
var ajax = require('web.ajax');
var core = require('web.core');
var session = require('web.session');
var Widget = require('web.Widget');

var _t = core._t;

var NVD3_LIBS = {
    cssLibs: ['/web/static/lib/nvd3/nv.d3.css'],
    jsLibs: [
        '/web/static/lib/nvd3/d3.v3.js',
        '/web/static/lib/nvd3/nv.d3.js',
        '/web/static/src/js/libs/nvd3.js',
    ],
};
var COLORS = ['#875A7B', '#21b799', '#E4A900', '#D5653E', '#5B899E'];

function fmt(value) {
    if (value === null || value === undefined || value === false) {
        return '-';
    }
    return d3.format(',.2f')(value).replace(/\.00$/, '');
}

var KamDashboard = Widget.extend({
    className: 'o_kam_dashboard',
    events: {
        'click .o_kam_open': '_onOpen',
    },

    init: function (parent, action) {
        this._super.apply(this, arguments);
        this.actionName = action && action.name;
        this.actions = [];
    },
    willStart: function () {
        var self = this;
        var data = this._rpc({
            model: 'kam.dashboard',
            method: 'kam_dashboard_data',
            args: [],
            // the user's language for the data's names (levels, accounts)
            kwargs: {context: session.user_context},
        }).then(function (result) {
            self.data = result;
        });
        return $.when(this._super.apply(this, arguments), data,
                      ajax.loadLibs(NVD3_LIBS));
    },
    start: function () {
        this._render();
        return this._super.apply(this, arguments);
    },

    //--------------------------------------------------------------------
    // Rendering
    //--------------------------------------------------------------------

    /**
     * Remember ``action`` and return the attributes that open it.
     */
    _opener: function ($el, action) {
        if (action) {
            this.actions.push(action);
            $el.addClass('o_kam_open')
               .attr('data-action', this.actions.length - 1);
        }
        return $el;
    },
    _render: function () {
        var data = this.data;
        this.$el.empty().addClass('o_kam_dashboard_' + data.role);
        $('<h2 class="o_kam_dashboard_title"/>').text(data.title)
            .appendTo(this.$el);
        var $tiles = $('<div class="o_kam_tiles"/>').appendTo(this.$el);
        _.each(data.tiles, this._renderTile.bind(this, $tiles));
        var $gauges = $('<div class="o_kam_gauges"/>').appendTo(this.$el);
        _.each(data.gauges, this._renderGauge.bind(this, $gauges));
        var $charts = $('<div class="o_kam_charts"/>').appendTo(this.$el);
        _.each(data.charts, this._renderChart.bind(this, $charts));
        _.each(data.tables, this._renderTable.bind(this));
    },
    _renderTile: function ($parent, tile) {
        var $tile = $('<div class="o_kam_tile"/>')
            .addClass('o_kam_tile_' + tile.kind)
            .attr({'data-key': tile.key, title: tile.help});
        $('<div class="o_kam_tile_value"/>').text(tile.display)
            .appendTo($tile);
        $('<div class="o_kam_tile_label"/>').text(tile.label)
            .appendTo($tile);
        this._opener($tile, tile.action).appendTo($parent);
    },
    /**
     * A half-circle gauge, 0 to max(100, value) %, drawn with d3 arcs.
     */
    _renderGauge: function ($parent, gauge) {
        var $box = $('<div class="o_kam_gauge"/>')
            .attr({'data-key': gauge.key, title: gauge.help +
                   '\n' + _t('Sales') + ': ' + fmt(gauge.sales) + ' ' +
                   this.data.currency + ' / ' + _t('Target') + ': ' +
                   fmt(gauge.target) + ' ' + this.data.currency});
        $('<div class="o_kam_gauge_label"/>').text(gauge.label)
            .appendTo($box);
        this._opener($box, gauge.action).appendTo($parent);
        var width = 180, height = 110, radius = 80;
        var value = gauge.value || 0;
        var max = Math.max(100, value);
        var svg = d3.select($box[0]).append('svg')
            .attr('width', width).attr('height', height);
        var g = svg.append('g')
            .attr('transform', 'translate(' + width / 2 + ',' + (radius + 10) + ')');
        var arc = d3.svg.arc().innerRadius(radius - 18).outerRadius(radius)
            .startAngle(-Math.PI / 2);
        g.append('path').attr('class', 'o_kam_gauge_back')
            .attr('d', arc.endAngle(Math.PI / 2)());
        g.append('path').attr('class', 'o_kam_gauge_value')
            .style('fill', value >= 100 ? '#21b799' : (value >= 60 ? '#E4A900' : '#D5653E'))
            .attr('d', arc.endAngle(-Math.PI / 2 + Math.PI * value / max)());
        g.append('text').attr('class', 'o_kam_gauge_text')
            .attr('text-anchor', 'middle').attr('y', -5)
            .text(gauge.value === false ? '-' : fmt(gauge.value) + ' %');
    },
    _renderChart: function ($parent, chart) {
        var self = this;
        var $box = $('<div class="o_kam_chart"/>')
            .addClass('o_kam_chart_' + chart.type)
            .attr({'data-key': chart.key, title: chart.help})
            .appendTo($parent);
        this._opener($('<h4 class="o_kam_chart_title"/>').text(chart.title),
                     chart.action).appendTo($box);
        var svg = d3.select($box[0]).append('svg')
            .attr('height', 240).attr('width', '100%');
        var series = _.map(chart.series, function (serie, i) {
            return {
                key: serie.key,
                color: COLORS[i % COLORS.length],
                // months without a figure (no base) are left out
                values: _.filter(serie.values, function (point) {
                    return point.y !== false && point.y !== null;
                }),
            };
        });
        var labels = chart.series[0].values;
        if (chart.type === 'funnel') {
            return this._renderFunnel(svg, chart.series[0]);
        }
        nv.addGraph(function () {
            var nvchart;
            if (chart.type === 'line') {
                nvchart = nv.models.lineChart()
                    .x(function (d) { return d.x; })
                    .y(function (d) { return d.y; })
                    .forceY([0])
                    .useInteractiveGuideline(true)
                    .margin({left: 70, right: 20, top: 10, bottom: 30});
                nvchart.xAxis.tickFormat(function (x) {
                    return labels[x] ? labels[x].label : '';
                });
                nvchart.yAxis.tickFormat(d3.format(',.4s'));
            } else {
                nvchart = nv.models.discreteBarChart()
                    .x(function (d) { return d.label; })
                    .y(function (d) { return d.y; })
                    .showValues(true)
                    .valueFormat(d3.format(',d'))
                    .margin({left: 40, right: 20, top: 10, bottom: 30});
                nvchart.yAxis.tickFormat(d3.format(',d'));
                var onClick = function (e) {
                    var point = e.data || e.point;
                    if (point && point.action) {
                        self._open(point.action);
                    }
                };
                nvchart.discretebar.dispatch.on('elementClick', onClick);
            }
            // nvd3's own "No Data Available." is not translatable
            nvchart.noData(_t('No data yet'));
            svg.datum(series).call(nvchart);
            nv.utils.windowResize(nvchart.update);
            return nvchart;
        });
    },
    /**
     * A funnel: one centred bar per step (the relationship levels, lowest
     * first), its width proportional to its count, drawn with d3 (Odoo 11's
     * nvd3 build has no horizontal bar chart).
     */
    _renderFunnel: function (svg, serie) {
        var self = this;
        var width = 460, step = 52;
        var max = d3.max(serie.values, function (d) { return d.y; }) || 1;
        var rows = svg.selectAll('g').data(serie.values).enter().append('g')
            .attr('transform', function (d, i) {
                return 'translate(0,' + (10 + i * step) + ')';
            });
        rows.append('rect')
            .attr('class', 'o_kam_funnel_bar o_kam_open')
            .attr('x', function (d) {
                return (width - Math.max(4, width * d.y / max)) / 2;
            })
            .attr('width', function (d) {
                return Math.max(4, width * d.y / max);
            })
            .attr('height', step - 8)
            .style('fill', function (d, i) { return COLORS[i % COLORS.length]; })
            .on('click', function (d) { self._open(d.action); });
        rows.append('text')
            .attr('x', width / 2).attr('y', (step - 8) / 2 + 5)
            .attr('text-anchor', 'middle')
            .attr('class', 'o_kam_funnel_text')
            .text(function (d) { return d.label + ': ' + d.y; })
            .on('click', function (d) { self._open(d.action); });
    },
    _renderTable: function (table) {
        var self = this;
        var $box = $('<div class="o_kam_table"/>')
            .attr({'data-key': table.key, title: table.help})
            .appendTo(this.$el);
        $('<h4/>').text(table.title).appendTo($box);
        var $table = $('<table class="table table-condensed table-hover"/>')
            .appendTo($box);
        var $head = $('<tr/>').appendTo($('<thead/>').appendTo($table));
        _.each(table.columns, function (col) {
            $('<th/>').text(col).appendTo($head);
        });
        var $body = $('<tbody/>').appendTo($table);
        _.each(table.lines, function (line) {
            var $row = $('<tr/>').appendTo($body);
            self._opener($('<td/>').text(line.name), line.action)
                .appendTo($row);
            var cells = line.cells || _.map(
                _.filter(['compliance', 'achievement', 'delta'],
                         function (key) { return key in line; }),
                function (key) { return {value: line[key]}; });
            _.each(cells, function (cell) {
                self._opener($('<td class="text-right"/>').text(fmt(cell.value)),
                             cell.action).appendTo($row);
            });
        });
    },

    //--------------------------------------------------------------------
    // Handlers
    //--------------------------------------------------------------------

    _open: function (action) {
        return this.do_action({
            type: 'ir.actions.act_window',
            name: action.name,
            res_model: action.res_model,
            domain: action.domain,
            views: _.map(action.views, function (view) {
                return [false, view];
            }),
            target: 'current',
        });
    },
    _onOpen: function (ev) {
        ev.stopPropagation();
        var index = $(ev.currentTarget).data('action');
        this._open(this.actions[index]);
    },
});

core.action_registry.add('kam_management.dashboard', KamDashboard);

return KamDashboard;
});
