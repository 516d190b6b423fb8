Feature: The readiness dashboard
  Once CI pushes scans, everyone can see where each service stands, which
  teams have work left on a check (a campaign), and the owning team hears
  about a service whose readiness score dropped.

  Scenario: A pushed service shows up on the overview and on its own page
    Given a prodready server
    When CI pushes a scan of "payments-api" of team "payments" scoring 80, failing "res.timeouts"
    Then the overview counts 1 service, with team "payments" on the leaderboard
    And the services page links to "payments-api"
    And the page of "payments-api" shows score 80.0 and level "bronze"
    And the page of "payments-api" shows check "res.timeouts" failing at "app/main.py:12"

  Scenario: A campaign lists the services that fail a check, grouped by team
    Given a prodready server
    When CI pushes these scans:
      | service      | team     | score | failing      |
      | payments-api | payments | 70    | res.timeouts |
      | ledger       | payments | 75    | res.timeouts |
      | search-api   | search   | 72    | res.timeouts |
      | search-index | search   | 95    |              |
    Then the campaign page of check "res.timeouts" lists these failing services:
      | team     | services             |
      | payments | ledger, payments-api |
      | search   | search-api           |

  Scenario Outline: A score drop of 5 points or more notifies the team's webhook
    Given a prodready server that sends regressions to the webhook "payments-oncall"
    And CI has pushed a scan of "payments-api" of team "payments" scoring 90
    When CI pushes a scan of "payments-api" of team "payments" scoring <new score>, failing "res.timeouts"
    Then the notification outbox holds <notifications> score-drop notification for "payments-api"
    And the status page lists <notifications> notification for "payments-oncall"

    Examples:
      | new score | notifications |
      | 86        | 0             |
      | 85        | 1             |
      | 60        | 1             |

  Scenario: The webhook receives the regression
    Given a prodready server that sends regressions to the webhook "payments-oncall"
    And CI has pushed a scan of "payments-api" of team "payments" scoring 90
    When CI pushes a scan of "payments-api" of team "payments" scoring 80, failing "res.timeouts"
    Then "payments-oncall" receives a "score_drop" regression of "payments-api" from 90.0 to 80.0
    And the notification outbox shows it delivered
