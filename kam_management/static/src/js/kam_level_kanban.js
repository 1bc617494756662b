odoo.define('kam_management.level_kanban', function (require) {
"use strict";
/**
 * The key-account kanban, grouped by relationship level (R11, issue 12).
 *
 * A key account manager does not change the level of their accounts: a
 * change needs a second person. Dropping a card on another level's column,
 * when the user may not change that account's level directly (the record's
 * ``kam_level_direct`` is false), asks for a reason and calls
 * ``res.partner.action_kam_request_level`` instead of writing the level;
 * a notification says the request was sent and the kanban reloads, so the
 * card goes back to its column (with its "level request pending" badge)
 * until the regional manager or a sales director approves. A plain write
 * would only end in an error dialog: the server refuses the KAM's write
 * of the level, and an error rolls back whatever the write did.
 *
 * Regional managers and sales directors drag as before: the level is
 * written at once.
 */
var core = require('web.core');
var Dialog = require('web.Dialog');
var KanbanController = require('web.KanbanController');
var KanbanView = require('web.KanbanView');
var viewRegistry = require('web.view_registry');

var _t = core._t;
var LEVEL_FIELD = 'kam_relationship_level_id';

var KamLevelKanbanController = KanbanController.extend({
    /**
     * @override
     */
    _onAddRecordToColumn: function (event) {
        var parent = this.model.get(this.handle, {raw: true});
        var record = event.data.record;
        if (parent.groupedBy[0] !== LEVEL_FIELD ||
                record.state.data.kam_level_direct) {
            return this._super.apply(this, arguments);
        }
        this._kamRequestLevel(record.state, this.model.get(event.target.db_id));
    },
    /**
     * Ask for the reason, send the request, say so, and reload the kanban
     * (whatever happened: the card goes back to where the server has it).
     *
     * @private
     * @param {Object} record the data point of the dropped card
     * @param {Object} group the data point of the column it was dropped on
     */
    _kamRequestLevel: function (record, group) {
        var self = this;
        var name = record.data.display_name;
        var level = group.value;
        var $reason = $('<textarea>', {
            'class': 'form-control o_kam_level_reason',
            rows: 4,
            placeholder: _t("Why should the account move to this level?"),
        });
        var $content = $('<div>', {'class': 'o_kam_level_request_dialog'})
            .append($('<p>').text(_.str.sprintf(_t("A change of level needs a second person: the regional manager or a sales director decides. Ask to move %s to %s:"), name, level)))
            .append($('<div>', {'class': 'form-group'}).append($reason));
        var sent = false;
        var dialog = new Dialog(this, {
            title: _t("Request a Relationship-Level Change"),
            $content: $content,
            buttons: [{
                text: _t("Send Request"),
                classes: 'btn-primary o_kam_level_send',
                click: function () {
                    var reason = $reason.val().trim();
                    if (!reason) {
                        $reason.parent().addClass('has-error');
                        $reason.focus();
                        return;
                    }
                    if (sent) {
                        return;
                    }
                    sent = true;
                    self._rpc({
                        model: 'res.partner',
                        method: 'action_kam_request_level',
                        args: [[record.res_id], group.res_id, reason],
                    }).then(function () {
                        self.do_notify(
                            _t("Level change requested"),
                            _.str.sprintf(_t("%s: the move to %s waits for the decision of the regional manager or a sales director; the card stays in its column until then."), name, level));
                    }).always(function () {
                        dialog.close();
                    });
                },
            }, {
                text: _t("Cancel"),
                close: true,
            }],
        });
        dialog.on('closed', this, function () {
            self.reload();
        });
        dialog.open();
    },
});

var KamLevelKanbanView = KanbanView.extend({
    config: _.extend({}, KanbanView.prototype.config, {
        Controller: KamLevelKanbanController,
    }),
});

viewRegistry.add('kam_level_kanban', KamLevelKanbanView);

return {
    KamLevelKanbanController: KamLevelKanbanController,
    KamLevelKanbanView: KamLevelKanbanView,
};
});
