Feature: Pushing scan results to prodready serve
  CI runs `prodready scan` in each service repository and pushes the result
  to the server. The server keeps every scan exactly once, even when CI
  retries, and refuses what it must not store with an answer that says why.

  Scenario: A new scan is stored once, even when CI retries the push
    Given a prodready server
    And a scan of "payments-api" of team "payments" scoring 80
    When CI pushes the scan
    Then the server answers 201
    And the answer carries the id of the stored scan
    And "payments-api" has 1 stored scan
    When CI pushes the same scan again
    Then the server answers 200
    And the answer carries the same scan id as the first push
    And "payments-api" has 1 stored scan

  Scenario: A token scoped to another team may not push
    Given a prodready server
    And a push token that may only push services of team "search"
    And a scan of "payments-api" of team "payments" scoring 80
    When CI pushes the scan
    Then the server answers 403
    And the JSON reason says the token may not push service "payments-api"
    And nothing is stored for "payments-api"

  Scenario: An invalid document is refused, naming the wrong field
    Given a prodready server
    And a scan of "payments-api" of team "payments" scoring 80
    But its score is 250, above the maximum of 100
    When CI pushes the scan
    Then the server answers 422
    And the error names the field "services.0.score"
    And nothing is stored for "payments-api"

  Scenario: A document over the size limit is refused
    Given a prodready server that accepts scan documents of at most 16 KiB
    And a scan of "payments-api" of team "payments" scoring 80
    But it has grown to 40 KiB
    When CI pushes the scan
    Then the server answers 413
    And the JSON reason is "payload_too_large"
    And nothing is stored for "payments-api"
